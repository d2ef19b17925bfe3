package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The cluster's benchmarks (bench/RESULTS.md has the figures and commands): what etcd adds to
// startup → ESTABLISHED, calls placed over three nodes through one, and kill -9 → keys free.
// They run a build without the race detector, real etcd, SIPp and sipcast processes.

// benchBinary is ./cmd/sipcast built once per run without the race detector: it is measured.
func benchBinary(b *testing.B) string {
	b.Helper()
	bin, err := testutil.Sipcast(false)
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// benchNode runs a sipcast process for a benchmark; env adds settings.
func benchNode(b *testing.B, env ...string) *testutil.Process {
	b.Helper()
	rtpBase := peers.FreeUDPPorts(b, 2)
	dir := b.TempDir()
	p, err := testutil.Start(context.Background(), testutil.Options{
		Bin: benchBinary(b), LogPath: filepath.Join(dir, "sipcast.log"),
		RESTPort: peers.FreeTCPPort(b), SIPPort: peers.FreeUDPPort(b),
		Env: append([]string{"SIPCAST_SIP_TLS_PORT=off", "SIPCAST_LOG_LEVEL=warn", "SIPCAST_CALLAPP_URL=off",
			"SIPCAST_WEBRTC_UDP_PORT=" + strconv.Itoa(peers.FreeUDPPort(b)),
			fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtpBase, min(rtpBase+1199, 65535)),
			"SIPCAST_DATA_DIR=" + filepath.Join(dir, "data")}, env...),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Stop)
	return p
}

func benchPost(b *testing.B, base, path, body string) (int, []byte) {
	res, err := http.Post(base+"/rest-api"+path, "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}

// timeToEstablished starts a call through rest and polls find (1 ms apart) until ESTABLISHED.
func timeToEstablished(b *testing.B, rest, callID string, sipPort int) (time.Duration, callapi.Call) {
	body := fmt.Sprintf(`{"callId":%q,"callee":"alice","sipDomain":"127.0.0.1","sipPort":"%d","toStream":%q,"hasAudio":"true"}`,
		callID, sipPort, "st-"+callID)
	start := time.Now()
	if code, res := benchPost(b, rest, "/call/startup", body); code != http.StatusOK {
		b.Fatalf("startup %s: %d %s", callID, code, res)
	}
	for time.Since(start) < 20*time.Second {
		code, res := benchPost(b, rest, "/call/find", fmt.Sprintf(`{"callId":%q}`, callID))
		var calls []callapi.Call
		if code == http.StatusOK && json.Unmarshal(res, &calls) == nil && len(calls) == 1 && calls[0].Status == callapi.StatusEstablished {
			return time.Since(start), calls[0]
		}
		time.Sleep(time.Millisecond)
	}
	b.Fatalf("call %s not ESTABLISHED within 20 s", callID)
	return 0, callapi.Call{}
}

func reportPercentiles(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	pct := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkClusterStartup: startup → ESTABLISHED (SIPp answers at once) on one node alone and
// on one node of an etcd cluster (the claim's transaction on the path), one call at a time.
func BenchmarkClusterStartup(b *testing.B) {
	peers.RequireTools(b, "sipp", peers.EtcdBinary)
	for _, mode := range []string{"alone", "etcd"} {
		b.Run(mode, func(b *testing.B) {
			sipp := peers.StartSIPpUAS(b, "uas_answer.xml", peers.WithCalls(1000000))
			var env []string
			if mode == "etcd" {
				etcd := peers.StartEtcd(b)
				env = []string{"SIPCAST_CLUSTER_ETCD=" + etcd.Endpoint(), "SIPCAST_NODE_ID=a"}
			}
			g := benchNode(b, env...)
			var ds []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				id := mode + strconv.Itoa(i)
				i++
				d, _ := timeToEstablished(b, g.REST, id, sipp.Port)
				ds = append(ds, d)
				if code, res := benchPost(b, g.REST, "/call/terminate", fmt.Sprintf(`{"callId":%q}`, id)); code != http.StatusOK {
					b.Fatalf("terminate: %d %s", code, res)
				}
			}
			reportPercentiles(b, ds)
		})
	}
}

// BenchmarkClusterPlacement: SIPCAST_BENCH_CLUSTER_CALLS calls (default 30; 300 for the
// issue's figure) started through node a of three nodes whose SIPCAST_MAX_CALLS is a third of
// that: a fills up, then each startup goes to the least-loaded other node. Reports
// startup → ESTABLISHED seen through a, and how many calls each node took. Run with
// -benchtime=1x.
func BenchmarkClusterPlacement(b *testing.B) {
	peers.RequireTools(b, "sipp", peers.EtcdBinary)
	n := 30
	if v, err := strconv.Atoi(os.Getenv("SIPCAST_BENCH_CLUSTER_CALLS")); err == nil && v >= 3 {
		n = v
	}
	sipp := peers.StartSIPpUAS(b, "uas_answer.xml", peers.WithCalls(1000000))
	etcd := peers.StartEtcd(b)
	var nodes []*testutil.Process
	for _, id := range []string{"a", "b", "c"} {
		nodes = append(nodes, benchNode(b, "SIPCAST_CLUSTER_ETCD="+etcd.Endpoint(), "SIPCAST_NODE_ID="+id,
			"SIPCAST_MAX_CALLS="+strconv.Itoa((n+2)/3), "SIPCAST_MEDIA_START_TIMEOUT=0", "SIPCAST_MEDIA_TIMEOUT=0"))
	}
	b.ReportAllocs()
	round := 0
	for b.Loop() {
		var ds []time.Duration
		per := map[string]int{}
		var ids []string
		for i := range n {
			id := fmt.Sprintf("p%d-%d", round, i)
			d, c := timeToEstablished(b, nodes[0].REST, id, sipp.Port)
			ds = append(ds, d)
			per[str(c.NodeID)]++
			ids = append(ids, id)
		}
		b.StopTimer()
		for _, id := range []string{"a", "b", "c"} {
			b.ReportMetric(float64(per[id]), "calls-on-"+id)
		}
		reportPercentiles(b, ds)
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				benchPost(b, nodes[0].REST, "/call/terminate", fmt.Sprintf(`{"callId":%q}`, id))
			}()
		}
		wg.Wait()
		round++
		b.StartTimer()
	}
}

// BenchmarkClusterKill: kill -9 of a node holding a call (TTL 2 s), then the same callId and
// stream started on another node as soon as it is accepted: the time until the keys are free.
func BenchmarkClusterKill(b *testing.B) {
	peers.RequireTools(b, "sipp", peers.EtcdBinary)
	etcd := peers.StartEtcd(b)
	sipp := peers.StartSIPpUAS(b, "uas_answer.xml", peers.WithCalls(1000000))
	a := benchNode(b, "SIPCAST_CLUSTER_ETCD="+etcd.Endpoint(), "SIPCAST_NODE_ID=a", "SIPCAST_CLUSTER_TTL=2s")
	var ds []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		victim := benchNode(b, "SIPCAST_CLUSTER_ETCD="+etcd.Endpoint(), "SIPCAST_NODE_ID=v"+strconv.Itoa(i), "SIPCAST_CLUSTER_TTL=2s")
		id := "k" + strconv.Itoa(i)
		i++
		timeToEstablished(b, victim.REST, id, sipp.Port)
		b.StartTimer()
		victim.Kill()
		killed := time.Now()
		body := fmt.Sprintf(`{"callId":%q,"callee":"alice","sipDomain":"127.0.0.1","sipPort":"%d","toStream":%q}`, id, sipp.Port, "st-"+id)
		for {
			code, res := benchPost(b, a.REST, "/call/startup", body)
			if code == http.StatusOK {
				break
			}
			if code != http.StatusConflict || time.Since(killed) > 20*time.Second {
				b.Fatalf("after kill: %d %s", code, res)
			}
			time.Sleep(10 * time.Millisecond)
		}
		ds = append(ds, time.Since(killed))
		b.StopTimer()
		benchPost(b, a.REST, "/call/terminate", fmt.Sprintf(`{"callId":%q}`, id))
		b.StartTimer()
	}
	reportPercentiles(b, ds)
}
