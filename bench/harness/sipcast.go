package harness

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// env is what the phases share: the settings, the work directory, the
// RTMP server and the device processes.
type env struct {
	cfg   Config
	dir   string
	nginx *peers.Nginx
	devs  []*deviceProc
}

const (
	// idleSettle lets a freshly started process finish its start-up work
	// before its idle usage is read.
	idleSettle = time.Second
	// upTimeout bounds the wait, after the last start, for every call to be
	// up (RTMP_STREAM_ACTIVE, or the relay's first frame).
	upTimeout = 30 * time.Second
	// holdCheck is how often calls are checked during the hold.
	holdCheck = 2 * time.Second
	// sipLinger is how long sipgo keeps a finished transaction (Timer K,
	// T4 = 5 s on UDP): goroutines are counted only after it.
	sipLinger = 6 * time.Second
)

// runSipcast is the sipcast phase: ramp, hold, ramp down, settle.
func runSipcast(ctx context.Context, e *env, bin string) (*Side, error) {
	cfg := e.cfg
	side := &Side{Name: "sipcast"}
	idleG, err := idleGoroutines(ctx, bin, e)
	if err != nil {
		return nil, err
	}
	g, err := startGateway(ctx, bin, e.dir, "sipcast", cfg)
	if err != nil {
		return nil, err
	}
	defer g.Stop()
	idle, err := g.idle(ctx)
	if err != nil {
		return nil, err
	}
	side.Before = Resources{Threads: idle.Threads, FDs: idle.FDs, Goroutines: idleG.all, PooledGoroutines: idleG.pooled, Processes: 1}
	udp0 := readUDPCounters()

	calls := newCallSet(cfg.Calls, "bench", len(e.devs))
	running := func() int { _, n, _ := calls.counts(); return n }
	smp := newSampler("ramp", func() (Usage, error) { return ReadUsage(g.pid()) }, running)
	prog := startProgress(cfg.Progress, "sipcast", smp.line)
	defer func() {
		if prog != nil {
			prog.stop()
		}
	}()

	// Ramp up, watching the statuses as a REST client would: from the event stream, or by
	// polling where sipcast has none.
	stopWatch, ok := watchEvents(ctx, g, calls)
	side.LatencySource = "event stream (/rest-api/events)"
	if !ok {
		side.LatencySource = fmt.Sprintf("find_all every %v", cfg.Poll)
		stopPoll := make(chan struct{})
		var polling sync.WaitGroup
		polling.Go(func() { pollStatuses(ctx, g, calls, cfg.Poll, stopPoll) })
		stopWatch = func() {
			close(stopPoll)
			polling.Wait()
		}
	}
	ramp(ctx, cfg.Calls, cfg.Rate, func(i int) { placeCall(ctx, e, g, calls, calls.recs[i]) })
	calls.waitDecided(ctx, upTimeout, func(r *callRecord) bool { return r.active > 0 })
	stopWatch()

	// Hold.
	smp.setPhase("hold")
	holdStart, err := ReadUsage(g.pid())
	if err != nil {
		return nil, err
	}
	ctxStart := e.readContext()
	pollStart, pollErr := g.pollCounters(ctx)
	stopPerf := startPerf(cfg.Perf, g.pid(), cfg.Hold)
	side.During = hold(ctx, cfg.Hold, g, calls)
	holdEnd, err := ReadUsage(g.pid())
	if err != nil {
		return nil, err
	}
	ctxEnd := e.readContext()
	if pollErr == nil {
		var pollEnd pollCounters
		if pollEnd, pollErr = g.pollCounters(ctx); pollErr == nil {
			side.Media.Poll = pollStart.figures(pollEnd, len(calls.running()))
		}
	}
	if pollErr != nil {
		side.Errors = append(side.Errors, "poller counters: "+pollErr.Error())
	}
	if err := stopPerf(); err != nil {
		side.Errors = append(side.Errors, "perf: "+err.Error())
	}

	// Ramp down, then wait for the process to return to idle.
	smp.setPhase("down")
	up := calls.running()
	var mu sync.Mutex
	ramp(ctx, len(up), cfg.Rate, func(i int) {
		if err := g.terminate(ctx, up[i].id); err != nil {
			mu.Lock()
			side.Errors = append(side.Errors, up[i].id+" terminate: "+err.Error())
			mu.Unlock()
		}
	})
	ended := time.Now()
	calls.closePlayers()
	smp.setPhase("settle")
	after := settle(ctx, g, idle, ended, cfg.SettleTimeout)
	prog.stop()
	prog = nil
	side.Samples = smp.series()
	goroutines, err := g.quit()
	if err != nil {
		side.Errors = append(side.Errors, "goroutine count: "+err.Error())
		goroutines.all = -1
	}
	side.After = Resources{Threads: after.Threads, FDs: after.FDs, Goroutines: goroutines.all,
		PooledGoroutines: goroutines.pooled, Processes: 1}
	side.During.Goroutines = -1 // not observable without a debug endpoint in sipcast

	calls.summarise(side)
	n := float64(max(side.Calls.Established, 1))
	holdSecs := holdEnd.At.Sub(holdStart.At).Seconds()
	holdCPU := (holdEnd.CPU - holdStart.CPU).Seconds()
	total := (after.CPU - idle.CPU).Seconds()
	side.CPU = CPUFigures{
		HoldSeconds: round(holdSecs, 2), HoldCPUSeconds: round(holdCPU, 2),
		HoldPct: round(100*holdCPU/holdSecs, 2), PerCallPct: round(100*holdCPU/holdSecs/n, 3),
		TotalCPUSeconds: round(total, 2), PerCallSetupMs: round(1000*(total-holdCPU)/n, 1),
	}
	side.Context = cpuPct(ctxStart, ctxEnd, side.CPU.HoldPct)
	side.Outsiders = e.outsiders(ctxStart, ctxEnd, []int{g.pid()})
	side.Memory = MemFigures{
		IdleMB: mb(idle.RSS), PeakMB: mb(after.HWM), HoldEndMB: mb(holdEnd.RSS),
		PerCallMB:  round(mb(after.HWM-idle.RSS)/n, 3),
		PerCallPSS: round(mb(holdEnd.PSS-idle.PSS)/n, 3),
	}
	log := summariseLog(g.logPath)
	side.Log = &log
	side.Media.RTPPackets = log.RTPPackets
	side.Media.UDP = readUDPCounters().sub(udp0)
	side.Leaks = leaks(side.Before, side.After)
	return side, nil
}

// idleGoroutines counts an idle sipcast's goroutines: counting ends the
// process (SIGQUIT), so it is a twin of the one measured, same settings.
func idleGoroutines(ctx context.Context, bin string, e *env) (goroutineCount, error) {
	g, err := startGateway(ctx, bin, e.dir, "sipcast-idle", e.cfg)
	if err != nil {
		return goroutineCount{}, err
	}
	defer g.Stop()
	if _, err := g.idle(ctx); err != nil {
		return goroutineCount{}, err
	}
	return g.quit()
}

// placeCall attaches a player to the call's stream, then asks sipcast for
// the call.
func placeCall(ctx context.Context, e *env, g *gateway, s *callSet, r *callRecord) {
	app := e.nginx.URL("live")
	p, err := startPlayer(ctx, app, r.stream)
	if err != nil {
		s.update(r, func(r *callRecord) { r.started, r.failure = time.Now(), "player: "+err.Error() })
		return
	}
	dev := e.devs[r.device].addr
	spec := map[string]any{
		"callId": r.id, "callee": "bench", "sipLogin": "gw",
		"sipDomain": dev.IP.String(), "sipPort": strconv.Itoa(dev.Port),
		"rtmpUrl": app, "rtmpStream": r.stream, "hasAudio": "true", "hasVideo": "true",
	}
	s.update(r, func(r *callRecord) { r.player, r.started = p, time.Now() })
	if err := g.startup(ctx, spec); err != nil {
		s.update(r, func(r *callRecord) { r.failure = err.Error() })
	}
}

// pollStatuses reads /call/find_all every interval until stop, recording
// when each call is first seen ESTABLISHED and RTMP_STREAM_ACTIVE. One
// find_all for all calls costs sipcast far less than a find per call (the
// registry matches a find's filter against every call's JSON), but still
// an N-call answer per poll: with many calls it loads sipcast while it
// ramps up, so the event stream is preferred.
func pollStatuses(ctx context.Context, g *gateway, s *callSet, every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		calls, err := g.findAll(ctx)
		if err == nil {
			s.observe(calls, time.Now())
		}
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// observe records the statuses of one find_all seen at now.
func (s *callSet) observe(calls []callapi.Call, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range calls {
		r := s.byID[c.CallID]
		if r == nil || r.started.IsZero() || r.failure != "" {
			continue
		}
		d := now.Sub(r.started)
		rtmp := deref(c.RTMPStreamStatus)
		if r.est == 0 && (c.Status == callapi.StatusEstablished || callapi.Ended(c.Status) && c.SIPStatus != nil && *c.SIPStatus == 200) {
			r.est = d
		}
		if r.active == 0 && rtmp == callapi.RTMPStreamActive {
			r.active = d
		}
		switch {
		case callapi.Ended(c.Status):
			r.failure = fmt.Sprintf("%s: %s", c.Status, deref(c.Reason))
		case rtmp == callapi.RTMPConnectionFailed:
			r.failure = rtmp
		}
	}
}

// hold keeps the calls up for d, checking every holdCheck that each is
// still ESTABLISHED and RTMP_STREAM_ACTIVE and its player still receives
// video. It returns the resources read halfway.
func hold(ctx context.Context, d time.Duration, g *gateway, s *callSet) Resources {
	start := time.Now()
	var during Resources
	for time.Since(start) < d && ctx.Err() == nil {
		sleepCtx(ctx, min(holdCheck, d-time.Since(start)))
		if during.FDs == 0 && time.Since(start) >= d/2 {
			if u, err := ReadUsage(g.pid()); err == nil {
				during = Resources{Threads: u.Threads, FDs: u.FDs, Processes: 1}
			}
		}
		calls, err := g.findAll(ctx)
		if err != nil {
			continue
		}
		s.checkLive(calls)
		s.checkStalls(time.Now(), time.Since(start) >= d)
	}
	return during
}

// checkLive marks running calls that find_all no longer shows up.
func (s *callSet) checkLive(calls []callapi.Call) {
	seen := make(map[string]callapi.Call, len(calls))
	for _, c := range calls {
		seen[c.CallID] = c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.failure != "" || r.lost != "" || r.started.IsZero() {
			continue
		}
		c, ok := seen[r.id]
		switch rtmp := deref(c.RTMPStreamStatus); {
		case !ok:
			r.lost = "gone from find_all"
		case c.Status != callapi.StatusEstablished:
			r.lost = fmt.Sprintf("%s: %s", c.Status, deref(c.Reason))
		case rtmp != callapi.RTMPStreamActive:
			r.lost = rtmp
		}
	}
}

// idle lets a freshly started sipcast finish its start-up, drops the
// harness's keep-alive REST connections (each holds an fd and a goroutine
// in sipcast) and reads its usage.
func (g *gateway) idle(ctx context.Context) (Usage, error) {
	sleepCtx(ctx, idleSettle)
	g.dropConnections(ctx)
	return ReadUsage(g.pid())
}

// dropConnections closes the harness's idle REST connections and gives
// sipcast a moment to notice.
func (g *gateway) dropConnections(ctx context.Context) {
	g.http.CloseIdleConnections()
	sleepCtx(ctx, connCloseSettle)
}

// connCloseSettle is how long sipcast's HTTP server needs to see a closed
// connection and end its goroutine.
const connCloseSettle = 100 * time.Millisecond

// settle waits until sipcast lists no call, its open files are back to
// idle's, and sipgo's transactions have had time to end; it returns the
// last reading, taken with no REST connection open.
func settle(ctx context.Context, g *gateway, idle Usage, ended time.Time, timeout time.Duration) Usage {
	deadline := time.Now().Add(timeout)
	for {
		calls, ferr := g.findAll(ctx)
		g.dropConnections(ctx)
		u, err := ReadUsage(g.pid())
		back := err == nil && ferr == nil && len(calls) == 0 && u.FDs <= idle.FDs
		if back && time.Since(ended) >= sipLinger || time.Now().After(deadline) || ctx.Err() != nil {
			return u
		}
		sleepCtx(ctx, 200*time.Millisecond)
	}
}

// leaks compares the counts that must come back: open files and
// goroutines (less the HTTP server's pooled idle workers). Go never gives
// OS threads back, so threads are reported but not judged.
func leaks(before, after Resources) []string {
	var out []string
	if after.FDs > before.FDs {
		out = append(out, fmt.Sprintf("fds %d → %d", before.FDs, after.FDs))
	}
	b, a := before.Goroutines-before.PooledGoroutines, after.Goroutines-after.PooledGoroutines
	if before.Goroutines >= 0 && after.Goroutines >= 0 && a > b {
		out = append(out, fmt.Sprintf("goroutines %d → %d (not counting idle HTTP workers)", b, a))
	}
	return out
}

// startPerf records `perf record -g` of pid for d into path; the returned
// function waits for it. A no-op without a path.
func startPerf(path string, pid int, d time.Duration) func() error {
	if path == "" {
		return func() error { return nil }
	}
	cmd := exec.Command("perf", "record", "-F", "499", "-g", "-p", strconv.Itoa(pid), "-o", path,
		"--", "sleep", strconv.FormatFloat(d.Seconds(), 'f', 1, 64))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return func() error { return err }
	}
	return func() error {
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("%w: %s", err, out.String())
		}
		return nil
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
