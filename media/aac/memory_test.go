package aac

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

const (
	// memEncoders is how many live encoders the memory figure averages over.
	memEncoders = 100

	// memChildEnv carries the output rate to the child process that takes
	// the measurement; it is empty in the parent.
	memChildEnv = "SIPCAST_AAC_MEMORY_CHILD_OUTRATE"

	// maxRSSPerEncoder is the budget per call's encoder. libavcodec's
	// AACEncContext alone is about 1.2 MiB, most of it a 512 KiB
	// quantize_band_cost_cache, zeroed (so resident) at open; swresample
	// adds tens of KiB. Twice that still fits 1000 calls in 2 GiB.
	maxRSSPerEncoder = 2 << 20
)

type memFigures struct {
	RSSPerEncoder    float64 // resident bytes, C and Go
	GoHeapPerEncoder float64 // Go heap bytes
}

// TestMemoryPerEncoder measures in a fresh child process: in this one,
// glibc would hand earlier tests' freed encoders back and hide the cost.
func TestMemoryPerEncoder(t *testing.T) {
	if os.Getenv(memChildEnv) != "" {
		t.Skip("running as the measuring child")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("VmRSS needs /proc")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []int{8000, 48000} {
		t.Run(strconv.Itoa(out), func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestMemoryChild$", "-test.v")
			cmd.Env = append(os.Environ(), memChildEnv+"="+strconv.Itoa(out))
			stdout, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, stdout)
			}
			m := parseMemFigures(t, string(stdout))
			t.Logf("%d live 8k→%d encoders: %.0f KiB RSS, %.1f KiB Go heap per encoder",
				memEncoders, out, m.RSSPerEncoder/1024, m.GoHeapPerEncoder/1024)
			if m.RSSPerEncoder > maxRSSPerEncoder {
				t.Errorf("%.0f bytes RSS per encoder, budget %d", m.RSSPerEncoder, maxRSSPerEncoder)
			}
		})
	}
}

func parseMemFigures(t *testing.T, out string) memFigures {
	t.Helper()
	var m memFigures
	for line := range strings.Lines(out) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "MEM "); ok {
			if err := json.Unmarshal([]byte(rest), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("child printed no figures:\n%s", out)
	return m
}

// TestMemoryChild is the measuring side of TestMemoryPerEncoder.
func TestMemoryChild(t *testing.T) {
	out, err := strconv.Atoi(os.Getenv(memChildEnv))
	if err != nil {
		t.Skip("only run by TestMemoryPerEncoder")
	}
	frame := sine(8000, toneHz, rtpFrame, toneAmp)
	rss0, heap0 := memNow(t)
	encs := make([]*Encoder, memEncoders)
	for i := range encs {
		encs[i] = newTestEncoder(t, Config{InputRate: 8000, OutputRate: out})
		for range 50 { // 1 s: every buffer touched, output buffers grown
			if _, err := encs[i].Encode(frame); err != nil {
				t.Fatal(err)
			}
		}
	}
	rss1, heap1 := memNow(t)
	b, err := json.Marshal(memFigures{
		RSSPerEncoder:    float64(rss1-rss0) / memEncoders,
		GoHeapPerEncoder: float64(heap1-heap0) / memEncoders,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\nMEM %s", b)
	runtime.KeepAlive(encs)
}

// memNow returns VmRSS and the live Go heap, both in bytes, after a GC.
func memNow(t *testing.T) (rss, heap int64) {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb * 1024, int64(ms.HeapAlloc)
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0, 0
}
