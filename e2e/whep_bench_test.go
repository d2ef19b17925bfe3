package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
	"github.com/sipcast/sipcast/internal/whepclient"
)

// BenchmarkWHEP50Viewers measures, on one H.264 + PCMU call from SIPp (its video replayed until
// the end: the joins outlast one capture) and a sipcast built without the race detector: the
// time from a WHEP offer to the first key frame received (pion viewers, every viewer a new join
// on a running call), and the gateway's CPU and memory for the call alone and with 50 viewers —
// per viewer against the call's own RTP receive.
// Run: go test -run XXX -bench WHEP50 -benchtime 1x ./e2e/
func BenchmarkWHEP50Viewers(b *testing.B) {
	peers.RequireTools(b, "sipp")
	g := startBenchGateway(b)
	startBenchCall(b, g, "uas_h264_pcmu_loop.xml", "bench1")
	time.Sleep(3 * time.Second) // established, media flowing
	window := 10 * time.Second
	cpu0, rss0 := sample(b, g.Pid(), window)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n := 50
	if v, err := strconv.Atoi(os.Getenv("WHEP_BENCH_VIEWERS")); err == nil && v > 0 {
		n = v
	}
	var firstKey []time.Duration
	clients := make([]*whepclient.Client, 0, n)
	for i := 0; i < n; i++ {
		c, err := whepclient.Dial(ctx, g.REST+"/whep/bench1", whepclient.Options{Audio: "PCMU", Video: "H264"})
		if err != nil {
			b.Fatalf("viewer %d: %v", i, err)
		}
		clients = append(clients, c)
		defer c.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range clients {
		for time.Now().Before(deadline) {
			if tr := c.Track("video"); tr != nil && tr.FirstKey.Load() != 0 {
				firstKey = append(firstKey, time.Unix(0, tr.FirstKey.Load()).Sub(c.Started))
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if len(firstKey) == 0 {
		b.Fatalf("no viewer of %d got a key frame", n)
	}
	if len(firstKey) < n {
		b.Logf("%d of %d viewers got no key frame within 30 s", n-len(firstKey), n)
	}
	cpu1, rss1 := sample(b, g.Pid(), window)
	var drops uint64
	for _, c := range clients {
		if tr := c.Track("video"); tr != nil {
			drops += tr.SeqGaps.Load()
		}
	}
	sort.Slice(firstKey, func(i, j int) bool { return firstKey[i] < firstKey[j] })
	k := len(firstKey)
	b.ReportMetric(float64(k), "viewers-with-key")
	b.ReportMetric(float64(firstKey[k/2].Milliseconds()), "ms-first-key-p50")
	b.ReportMetric(float64(firstKey[k-1].Milliseconds()), "ms-first-key-max")
	if code, body, err := getText(g.REST + "/metrics"); err == nil && code == 200 {
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "sipcast_whep_dropped_packets_total") || strings.HasPrefix(l, "sipcast_whep_viewers") {
				b.Log(l)
			}
		}
	}
	b.ReportMetric(cpu0, "cpu%-call-alone")
	b.ReportMetric((cpu1-cpu0)/float64(n), "cpu%-per-viewer")
	b.ReportMetric(float64(rss1-rss0)/float64(n)/1024, "MiB-per-viewer")
	b.ReportMetric(float64(drops), "seq-gaps-total")
	b.Logf("first key frame p50 %v max %v; gateway CPU %.2f%% alone, %.2f%% with %d viewers; RSS %.1f → %.1f MiB",
		firstKey[k/2], firstKey[k-1], cpu0, cpu1, n, float64(rss0)/1024, float64(rss1)/1024)
}

// startBenchGateway runs sipcast built without the race detector (what benchmarks measure) on
// free loopback ports, logging warnings only, until the benchmark ends.
func startBenchGateway(b *testing.B) *testutil.Process {
	b.Helper()
	bin, err := testutil.Sipcast(false)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	rtpBase := peers.FreeUDPPorts(b, 8)
	g, err := testutil.Start(context.Background(), testutil.Options{Bin: bin, LogPath: filepath.Join(dir, "sipcast.log"),
		RESTPort: peers.FreeTCPPort(b), SIPPort: peers.FreeUDPPort(b), Env: []string{
			"SIPCAST_SIP_TLS_PORT=off", fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtpBase, rtpBase+7),
			"SIPCAST_DATA_DIR=" + filepath.Join(dir, "data"), "SIPCAST_LOG_LEVEL=warn",
			"SIPCAST_WEBRTC_UDP_PORT=" + strconv.Itoa(peers.FreeUDPPort(b))}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(g.Stop)
	return g
}

// startBenchCall has g call a SIPp device playing scenario, with id as callId and toStream.
func startBenchCall(b *testing.B, g *testutil.Process, scenario, id string) *peers.SIPp {
	b.Helper()
	sipp := peers.StartSIPpUAS(b, scenario, peers.WithSIPpTimeout(5*time.Minute))
	code, res, err := postJSON(g.REST+"/rest-api/call/startup", startupBody(map[string]any{"callId": id, "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "toStream": id}))
	if err != nil || code != 200 {
		b.Fatalf("startup: %d %s %v", code, res, err)
	}
	return sipp
}

// sample returns the process's CPU use (percent of one core) over window, and its RSS in KiB
// at the end.
func sample(b *testing.B, pid int, window time.Duration) (float64, int) {
	t0 := cpuTicks(b, pid)
	time.Sleep(window)
	t1 := cpuTicks(b, pid)
	const hz = 100 // USER_HZ on Linux
	return float64(t1-t0) / hz / window.Seconds() * 100, rssKiB(b, pid)
}

func cpuTicks(b *testing.B, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

func rssKiB(b *testing.B, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

func postJSON(url, body string) (int, string, error) {
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}

func getText(url string) (int, string, error) {
	res, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}
