package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Machine describes where a run happened, so figures are never quoted
// without the hardware they came from.
type Machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	MemoryMB int64  `json:"memoryMB"`
	Kernel   string `json:"kernel"`
	OS       string `json:"os"`
	Go       string `json:"go"`
	FFmpeg   string `json:"ffmpeg"`
	Nginx    string `json:"nginx"`
	Virtual  string `json:"virtualisation,omitempty"`
}

func describeMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			k = strings.TrimSpace(k)
			if ok && k == "model name" && m.CPU == "" {
				m.CPU = strings.TrimSpace(v)
			}
			if ok && k == "flags" && strings.Contains(v, " hypervisor") {
				m.Virtual = "hypervisor"
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryMB = parseKV(b)["MemTotal"] / 1024
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				m.OS = strings.Trim(v, `"`)
			}
		}
	}
	m.FFmpeg = firstLine("ffmpeg", "-hide_banner", "-version")
	m.Nginx = firstLine("nginx", "-v") // nginx prints its version on stderr
	return m
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil && len(out) == 0 {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// String is the one-line description printed above the table.
func (m Machine) String() string {
	vm := ""
	if m.Virtual != "" {
		vm = " (VM)"
	}
	return fmt.Sprintf("%s, %d cores, %d GB RAM, Linux %s%s, %s, %s", m.CPU, m.Cores,
		(m.MemoryMB+512)/1024, m.Kernel, vm, m.OS, m.Go)
}
