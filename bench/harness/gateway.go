package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/internal/testutil"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// gatewayStartTimeout bounds sipcast's start-up until REST answers.
const gatewayStartTimeout = 20 * time.Second

// restTimeout bounds one REST request; terminate waits for the BYE.
const restTimeout = 15 * time.Second

// buildSipcast builds ./cmd/sipcast of the repository holding bench/ into
// dir and returns the binary's path.
func buildSipcast(ctx context.Context, dir string) (string, error) {
	bench, err := peers.BenchDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "sipcast")
	return bin, testutil.BuildSipcast(ctx, filepath.Dir(bench), bin, false)
}

// gateway is the sipcast process under test and a REST client for it.
type gateway struct {
	*testutil.Process
	rest    string
	logPath string
	http    *http.Client
}

// startGateway runs bin on loopback with the benchmark's settings, logging
// to dir/name.log, and waits until REST answers.
func startGateway(ctx context.Context, bin, dir, name string, cfg Config) (*gateway, error) {
	restPort, err := peers.PickTCPPort()
	if err != nil {
		return nil, err
	}
	sipPort, err := peers.PickUDPPorts(1)
	if err != nil {
		return nil, err
	}
	p, err := testutil.Start(ctx, testutil.Options{
		Bin: bin, LogPath: filepath.Join(dir, name+".log"), RESTPort: restPort, SIPPort: sipPort,
		StartTimeout: gatewayStartTimeout,
		Env: append([]string{
			// No SIP TLS listener: the load calls are UDP, and parallel gateways would all try 5061.
			"SIPCAST_SIP_TLS_PORT=off",
			"SIPCAST_RTP_PORTS=" + cfg.sipcastPorts(),
			"SIPCAST_LOG_LEVEL=info",
			// On SIGQUIT, dump every goroutine: that is how the harness counts
			// them without a debug endpoint in sipcast.
			"GOTRACEBACK=all"}, cfg.SipcastEnv...),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReady, err)
	}
	return &gateway{Process: p, rest: p.REST + "/rest-api", logPath: p.LogPath,
		http: &http.Client{Timeout: restTimeout, Transport: &http.Transport{
			// One connection per concurrent request, kept: a new TCP
			// connection per poll would be measured as REST latency.
			MaxIdleConnsPerHost: 256,
		}}}, nil
}

func (g *gateway) pid() int { return g.Pid() }

// post sends body as JSON and returns the status and the answer.
func (g *gateway) post(ctx context.Context, path string, body any) (int, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.rest+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := g.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// pollCounters reads the RTP poller's counters from /metrics.
func (g *gateway) pollCounters(ctx context.Context) (pollCounters, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.REST+"/metrics", nil)
	if err != nil {
		return pollCounters{}, err
	}
	res, err := g.http.Do(req)
	if err != nil {
		return pollCounters{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return pollCounters{}, err
	}
	if res.StatusCode != http.StatusOK {
		return pollCounters{}, fmt.Errorf("%w: /metrics %d", ErrHTTP, res.StatusCode)
	}
	samples, err := metrics.Parse(string(body))
	if err != nil {
		return pollCounters{}, err
	}
	var c pollCounters
	for name, v := range map[string]*float64{
		"sipcast_rtp_poll_rounds_total": &c.rounds, "sipcast_rtp_poll_reads_total": &c.reads,
		"sipcast_rtp_poll_datagrams_total": &c.datagrams,
	} {
		s, ok := samples[name]
		if !ok {
			return pollCounters{}, fmt.Errorf("/metrics has no %s", name)
		}
		if *v, err = strconv.ParseFloat(s, 64); err != nil {
			return pollCounters{}, fmt.Errorf("/metrics %s: %w", name, err)
		}
	}
	c.at = time.Now()
	return c, nil
}

// pollCounters is one reading of the poller's counters.
type pollCounters struct {
	rounds, reads, datagrams float64
	at                       time.Time
}

// figures turns two readings into the hold's batching figures.
func (c pollCounters) figures(end pollCounters, calls int) *PollFigures {
	secs := end.at.Sub(c.at).Seconds()
	rounds, reads, datagrams := end.rounds-c.rounds, end.reads-c.reads, end.datagrams-c.datagrams
	if secs <= 0 || rounds <= 0 || reads <= 0 || calls <= 0 {
		return nil
	}
	return &PollFigures{
		ReadsPerCallSecond: round(reads/secs/float64(calls), 1), DatagramsPerRead: round(datagrams/reads, 2),
		ReadsPerRound: round(reads/rounds, 1), RoundsPerSecond: round(rounds/secs, 1),
		DatagramsPerCallSec: round(datagrams/secs/float64(calls), 1),
	}
}

// startup places a call; it returns once sipcast has accepted it (PENDING).
func (g *gateway) startup(ctx context.Context, spec map[string]any) error {
	code, body, err := g.post(ctx, "/call/startup", spec)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("%w: startup %d: %s", ErrHTTP, code, body)
	}
	return nil
}

// findAll lists every call; none is an empty list, not an error.
func (g *gateway) findAll(ctx context.Context) ([]callapi.Call, error) {
	code, body, err := g.post(ctx, "/call/find_all", struct{}{})
	switch {
	case err != nil:
		return nil, err
	case code == http.StatusNotFound:
		return nil, nil
	case code != http.StatusOK:
		return nil, fmt.Errorf("%w: find_all %d: %s", ErrHTTP, code, body)
	}
	var calls []callapi.Call
	if err := json.Unmarshal(body, &calls); err != nil {
		return nil, fmt.Errorf("find_all: %w", err)
	}
	return calls, nil
}

// terminate ends a call and returns once sipcast says it has ended.
func (g *gateway) terminate(ctx context.Context, callID string) error {
	code, body, err := g.post(ctx, "/call/terminate", map[string]string{"callId": callID})
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("%w: terminate %d: %s", ErrHTTP, code, body)
	}
	return nil
}

// quit ends sipcast with SIGQUIT and counts the goroutines of the dump it
// writes (see countGoroutines). The harness uses it once all calls have
// ended, to see whether any outlived its call.
func (g *gateway) quit() (goroutineCount, error) {
	before, _ := os.Stat(g.logPath)
	_ = g.Cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-g.Done():
	case <-time.After(10 * time.Second):
		g.Kill()
		return goroutineCount{}, fmt.Errorf("sipcast did not exit on SIGQUIT")
	}
	f, err := os.Open(g.logPath)
	if err != nil {
		return goroutineCount{}, err
	}
	defer f.Close()
	if before != nil {
		_, _ = f.Seek(before.Size(), io.SeekStart)
	}
	dump, err := io.ReadAll(f)
	if err != nil {
		return goroutineCount{}, err
	}
	n := countGoroutines(dump)
	if n.all == 0 {
		return n, fmt.Errorf("no goroutine dump in sipcast's output")
	}
	return n, nil
}

// goroutineHeader starts each goroutine of a Go traceback:
// "goroutine 12 gp=0x… m=nil [select]:" (or without gp=/m= at lower
// GOTRACEBACK levels).
var goroutineHeader = regexp.MustCompile(`(?m)^goroutine (\d+) [^\n]*\[([^\]]*)\]`)

// goroutineCount: all is what runtime.NumGoroutine would say; pooled are
// those among them that are idle HTTP server workers, which fasthttp keeps
// for up to 10 s after the last request and which are therefore not
// judged as leaks.
type goroutineCount struct {
	all, pooled int
}

// fasthttpIdleWorker is the creator of fasthttp's pooled workers.
var fasthttpIdleWorker = []byte("\ncreated by github.com/valyala/fasthttp.(*workerPool).getCh")

// countGoroutines counts the goroutines of a traceback, leaving out
// goroutine 0 (the scheduler's) and those the runtime started for itself
// ("created by runtime.…": GC workers, the finaliser, the scavenger…),
// whose number varies with GC activity and would hide or fake a leak.
func countGoroutines(dump []byte) goroutineCount {
	idx := goroutineHeader.FindAllSubmatchIndex(dump, -1)
	var n goroutineCount
	for i, m := range idx {
		end := len(dump)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		block := dump[m[0]:end]
		if string(dump[m[2]:m[3]]) == "0" || bytes.Contains(block, []byte("\ncreated by runtime.")) {
			continue
		}
		n.all++
		if string(dump[m[4]:m[5]]) == "chan receive" && bytes.Contains(block, fasthttpIdleWorker) {
			n.pooled++
		}
	}
	return n
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string { return testutil.TailFile(path, n) }

// logSummary is what sipcast's JSON log says about a run.
type logSummary struct {
	// RTPPackets counts the RTP packets the RTP actors accepted, by kind
	// ("audio", "video"), from their "actor stopping" lines.
	RTPPackets map[string]int64 `json:"rtpPackets"`
	// Warnings and Errors count log lines by level.
	Warnings int `json:"warnings"`
	Errors   int `json:"errors"`
	// FirstErrors keeps a few error and warning messages for the report.
	FirstErrors []string `json:"firstErrors,omitempty"`
}

// maxLoggedErrors bounds logSummary.FirstErrors.
const maxLoggedErrors = 5

func summariseLog(path string) logSummary {
	s := logSummary{RTPPackets: map[string]int64{}}
	f, err := os.Open(path)
	if err != nil {
		return s
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Level   string `json:"level"`
			Msg     string `json:"msg"`
			Actor   string `json:"actor"`
			Kind    string `json:"kind"`
			Packets int64  `json:"packets"`
			Err     any    `json:"err"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Level {
		case "WARN":
			s.Warnings++
		case "ERROR":
			s.Errors++
		}
		if (line.Level == "WARN" || line.Level == "ERROR") && len(s.FirstErrors) < maxLoggedErrors {
			s.FirstErrors = append(s.FirstErrors, fmt.Sprintf("%s %s %v", line.Level, line.Msg, line.Err))
		}
		if line.Actor == "rtp" && line.Msg == "actor stopping" {
			s.RTPPackets[line.Kind] += line.Packets
		}
	}
	return s
}
