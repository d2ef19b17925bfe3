package harness

import (
	"os"
	"strings"
	"testing"
	"time"
)

// These tests cover the harness's own parsing and arithmetic; the harness
// itself runs under `make bench` (a real sipcast, devices, nginx, ffmpeg).

func TestParseStatCPU(t *testing.T) {
	cases := []struct {
		name, stat string
		want       time.Duration
		bad        bool
	}{
		{"plain", "42 (sipcast) S 1 42 42 0 -1 4194560 900 0 0 0 250 130 0 0 20 0 9 0 100 0 0", 3800 * time.Millisecond, false},
		{"name with spaces and parens", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 0", 30 * time.Millisecond, false},
		{"truncated", "7 (x) R 1 2 3", 0, true},
		{"no name", "garbage", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(c.stat))
			if (err != nil) != c.bad || got != c.want {
				t.Fatalf("got %v, %v; want %v, error %v", got, err, c.want, c.bad)
			}
		})
	}
}

func TestReadUsageSelf(t *testing.T) {
	u, err := ReadUsage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if u.RSS <= 0 || u.HWM < u.RSS || u.Threads < 1 || u.FDs < 3 {
		t.Fatalf("implausible usage of this test process: %+v", u)
	}
}

func TestParseKV(t *testing.T) {
	m := parseKV([]byte("Name:\tsipcast\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\nThreads:\t12\n"))
	if m["VmHWM"] != 123456 || m["VmRSS"] != 100000 || m["Threads"] != 12 {
		t.Fatalf("parsed %v", m)
	}
	if _, ok := m["Name"]; ok {
		t.Fatal("a non-numeric value was parsed")
	}
}

// dump is the shape of a Go 1.26 SIGQUIT traceback with GOTRACEBACK=all.
const dump = `SIGQUIT: quit
PC=0x4 m=0 sigcode=0

goroutine 0 gp=0x1 m=0 mp=0x2 [idle]:
runtime.futex(...)

goroutine 1 gp=0x3 m=nil [select]:
main.run()

goroutine 2 gp=0x4 m=nil [force gc (idle)]:
runtime.gopark(...)
created by runtime.init.7 in goroutine 1

goroutine 19 gp=0x5 m=nil [chan receive]:
github.com/valyala/fasthttp.(*workerPool).workerFunc()
created by github.com/valyala/fasthttp.(*workerPool).getCh in goroutine 16

goroutine 40 gp=0x6 m=nil [IO wait]:
internal/poll.runtime_pollWait()
created by github.com/sipcast/sipcast/actors/rtp.(*Actor).handleStarted in goroutine 30
`

func TestCountGoroutines(t *testing.T) {
	got := countGoroutines([]byte(dump))
	if want := (goroutineCount{all: 3, pooled: 1}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := percentiles(d)
	if want := (Percentiles{N: 100, P50: 50, P95: 95, P99: 99, Max: 100}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got := percentiles(d[:10]); got.P99 != 10 {
		t.Fatalf("p99 of 10 samples = %v, want the largest", got.P99)
	}
	if got := percentiles(nil); got.N != 0 {
		t.Fatalf("empty: %+v", got)
	}
}

func TestTrackStatsExpected(t *testing.T) {
	var s trackStats
	for i, dts := range []int{0, 40, 80, 200, 240} { // 120 ms gap: frames 120 and 160 lost
		s.add(time.Duration(dts)*time.Millisecond, videoFrameDur)
		_ = i
	}
	if s.Frames != 5 || s.expected(videoFrameDur) != 7 || s.Gaps != 1 {
		t.Fatalf("frames %d expected %d gaps %d, want 5, 7, 1", s.Frames, s.expected(videoFrameDur), s.Gaps)
	}
}

func TestRelaySDP(t *testing.T) {
	answer := "v=0\r\no=d 1 1 IN IP4 127.0.0.1\r\ns=d\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n" +
		"m=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
		"a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHg==,aM4G4g==\r\na=sendonly\r\n"
	got, err := relaySDP(24000, 24002, []byte(answer))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"m=audio 24000 RTP/AVP 0\r\n", "m=video 24002 RTP/AVP 96\r\n",
		"a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHg==,aM4G4g==\r\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("SDP lacks %q:\n%s", want, got)
		}
	}
	if _, err := relaySDP(1, 3, []byte("not sdp")); err == nil {
		t.Error("a broken answer was accepted")
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := Config{Self: "/bin/true"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.Calls != 10 || c.Baseline != 10 || c.Rate != 50 || c.Hold != 10*time.Second || c.Devices != 1 {
		t.Fatalf("defaults %+v", c)
	}
	if got := c.sipcastPorts(); got != "20000-20103" {
		t.Errorf("sipcast ports %s", got)
	}
	if _, err := (Config{Self: "/bin/true", Calls: 4000}).withDefaults(); err == nil {
		t.Error("a port range into the ephemeral ports was accepted")
	}
}

func TestReadMachineCPU(t *testing.T) {
	a := readMachineCPU()
	spin := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(spin) {
	}
	b := readMachineCPU()
	if b.busy <= a.busy || b.pctOfCore(b.busy-a.busy, a) <= 0 {
		t.Fatalf("no busy time counted while spinning: %+v → %+v", a, b)
	}
}

func TestOutsiders(t *testing.T) {
	from := map[int]procCPU{1: {"go", time.Second}, 2: {"sipcast", time.Second}, 3: {"cc1", 0}}
	to := map[int]procCPU{
		1: {"go", 3 * time.Second},      // +2 s
		2: {"sipcast", 9 * time.Second}, // known: left out
		3: {"cc1", 500 * time.Millisecond},
		4: {"go", time.Second}, // started during the window: counted whole
		5: {"idle", 0},
	}
	got := outsiders(from, to, map[int]bool{2: true}, 10*time.Second)
	if want := []string{"go 30%", "cc1 5%"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestPollFigures(t *testing.T) {
	t0 := time.Unix(1000, 0)
	start := pollCounters{rounds: 100, reads: 1000, datagrams: 1400, at: t0}
	for _, tc := range []struct {
		name  string
		end   pollCounters
		calls int
		want  *PollFigures
	}{
		{"ten seconds of 100 calls", pollCounters{rounds: 1750, reads: 76000, datagrams: 107800, at: t0.Add(10 * time.Second)}, 100,
			&PollFigures{ReadsPerCallSecond: 75, DatagramsPerRead: 1.42, ReadsPerRound: 45.5, RoundsPerSecond: 165, DatagramsPerCallSec: 106.4}},
		{"no round in between", pollCounters{rounds: 100, reads: 1000, datagrams: 1400, at: t0.Add(time.Second)}, 10, nil},
		{"no time in between", pollCounters{rounds: 200, reads: 2000, datagrams: 2400, at: t0}, 10, nil},
		{"no call", pollCounters{rounds: 200, reads: 2000, datagrams: 2400, at: t0.Add(time.Second)}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := start.figures(tc.end, tc.calls)
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("figures = %+v, want %+v", got, tc.want)
			}
		})
	}
}
