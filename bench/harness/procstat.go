package harness

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports (the kernel fixes it for the
// user ABI whatever CONFIG_HZ is).
const clockTicks = 100

// Usage is one reading of a process's resources from /proc.
type Usage struct {
	At      time.Time     `json:"-"`
	CPU     time.Duration `json:"cpuNs"` // user + system time since the process started
	RSS     int64         `json:"rss"`   // resident bytes now (VmRSS)
	HWM     int64         `json:"hwm"`   // peak resident bytes (VmHWM)
	PSS     int64         `json:"pss"`   // proportional share, shared pages split between their users
	Threads int           `json:"threads"`
	FDs     int           `json:"fds"`
}

// ReadUsage reads pid's CPU time, memory, threads and open file count.
func ReadUsage(pid int) (Usage, error) {
	u := Usage{At: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, err
	}
	if u.CPU, err = parseStatCPU(stat); err != nil {
		return u, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	kv := parseKV(status)
	u.RSS, u.HWM, u.Threads = kv["VmRSS"]*1024, kv["VmHWM"]*1024, int(kv["Threads"])
	if rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
		u.PSS = parseKV(rollup)["Pss"] * 1024
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return u, err
	}
	u.FDs = len(fds)
	return u, nil
}

// parseStatCPU returns utime+stime from /proc/PID/stat. The command name
// (field 2) may hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields", len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("utime %q stime %q", f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// parseKV reads "Key:   value [kB]" lines (/proc/PID/status, smaps_rollup,
// /proc/meminfo) into numbers; lines whose value is not a number are skipped.
func parseKV(b []byte) map[string]int64 {
	m := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			m[k] = n
		}
	}
	return m
}

// udpCounters are the kernel's system-wide UDP counters (/proc/net/snmp):
// a datagram dropped because a socket's receive buffer was full counts in
// RcvbufErrors, the usual cause of loss when a receiver falls behind.
type udpCounters struct {
	InDatagrams  int64 `json:"inDatagrams"`
	RcvbufErrors int64 `json:"rcvbufErrors"`
	InErrors     int64 `json:"inErrors"`
}

func readUDPCounters() udpCounters {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return udpCounters{}
	}
	var names, values []string
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "Udp: ")
		if !ok {
			continue
		}
		if names == nil {
			names = strings.Fields(rest)
		} else {
			values = strings.Fields(rest)
		}
	}
	var c udpCounters
	for i, n := range names {
		if i >= len(values) {
			break
		}
		v, _ := strconv.ParseInt(values[i], 10, 64)
		switch n {
		case "InDatagrams":
			c.InDatagrams = v
		case "RcvbufErrors":
			c.RcvbufErrors = v
		case "InErrors":
			c.InErrors = v
		}
	}
	return c
}

func (c udpCounters) sub(o udpCounters) udpCounters {
	return udpCounters{c.InDatagrams - o.InDatagrams, c.RcvbufErrors - o.RcvbufErrors, c.InErrors - o.InErrors}
}

// udpPortBound reports whether some socket is bound to the local UDP port
// on IPv4 (/proc/net/udp): how the harness learns that an ffmpeg relay is
// listening without racing it for the port.
func udpPortBound(port int) bool {
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		return false
	}
	want := fmt.Sprintf(":%04X ", port)
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && strings.HasSuffix(f[1]+" ", want) {
			return true
		}
	}
	return false
}

// machineCPU is the first line of /proc/stat: time spent by all cores,
// in clock ticks.
type machineCPU struct {
	at          time.Time
	busy, steal int64
	// irq is interrupt and softirq time, part of busy: mostly the kernel's
	// network processing (loopback delivery), which /proc/PID/stat charges
	// to no process.
	irq int64
}

func readMachineCPU() machineCPU {
	m := machineCPU{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return m
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq steal guest guest_nice
	if len(f) < 9 || f[0] != "cpu" {
		return m
	}
	for i, v := range f[1:9] {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch i {
		case 3, 4: // idle, iowait
		case 7:
			m.steal = n
		case 5, 6:
			m.irq += n
			m.busy += n
		default:
			m.busy += n
		}
	}
	return m
}

// pctOfCore converts ticks over the interval to % of one core.
func (m machineCPU) pctOfCore(ticks int64, from machineCPU) float64 {
	dt := m.at.Sub(from.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return round(100*float64(ticks)/clockTicks/dt, 1)
}

// procCPU is one process's name and CPU time, from a scan of /proc.
type procCPU struct {
	comm string
	cpu  time.Duration
}

// readAllCPU reads every process's CPU time: how the harness finds out what
// else ran on the machine during a hold.
func readAllCPU() map[int]procCPU {
	out := map[int]procCPU{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		cpu, err := parseStatCPU(stat)
		if err != nil {
			continue
		}
		comm := ""
		if i, j := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')'); i >= 0 && j > i {
			comm = string(stat[i+1 : j])
		}
		out[pid] = procCPU{comm: comm, cpu: cpu}
	}
	return out
}

// outsiders sums, by command name, the CPU that processes other than
// known used between two scans (a process that started in between counts
// whole), largest first, as "name pct%" in % of one core over dt.
func outsiders(from, to map[int]procCPU, known map[int]bool, dt time.Duration) []string {
	byName := map[string]time.Duration{}
	for pid, p := range to {
		if known[pid] {
			continue
		}
		d := p.cpu
		if q, ok := from[pid]; ok && q.comm == p.comm {
			d -= q.cpu
		}
		if d > 0 {
			byName[p.comm] += d
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(byName[b], byName[a]) })
	var out []string
	for _, n := range names {
		pct := 100 * byName[n].Seconds() / dt.Seconds()
		if pct < 1 || len(out) == maxOutsiders {
			break
		}
		out = append(out, fmt.Sprintf("%s %.0f%%", n, pct))
	}
	return out
}

// maxOutsiders bounds the list of outside processes in a report.
const maxOutsiders = 5
