package harness

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// runBaseline is the ffmpeg phase: the same devices and media, one ffmpeg
// relay per call, ramped, held and ended like sipcast's calls.
func runBaseline(ctx context.Context, e *env) (*Side, error) {
	cfg := e.cfg
	side := &Side{Name: "ffmpeg"}
	if err := os.MkdirAll(filepath.Join(e.dir, "relays"), 0o755); err != nil {
		return nil, err
	}
	u, err := newUAC(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	defer u.close()

	calls := newCallSet(cfg.Baseline, "ff", len(e.devs))
	var mu sync.Mutex
	relays := make([]*relay, cfg.Baseline)
	live := func() (pids []int) {
		mu.Lock()
		defer mu.Unlock()
		for _, rl := range relays {
			if rl != nil && !rl.exited() {
				pids = append(pids, rl.pid())
			}
		}
		return pids
	}
	running := func() int { _, n, _ := calls.counts(); return n }
	smp := newSampler("ramp", func() (Usage, error) { return sumUsage(live()), nil }, running)
	prog := startProgress(cfg.Progress, "ffmpeg", smp.line)
	defer func() {
		if prog != nil {
			prog.stop()
		}
	}()
	udp0 := readUDPCounters()

	ramp(ctx, cfg.Baseline, cfg.Rate, func(i int) {
		r := calls.recs[i]
		rl, err := startRelay(ctx, e, u, calls, r, cfg.relayPorts()+portsPerCall*i)
		if err != nil {
			calls.update(r, func(r *callRecord) {
				if r.started.IsZero() {
					r.started = time.Now()
				}
				r.failure = err.Error()
			})
			return
		}
		mu.Lock()
		relays[i] = rl
		mu.Unlock()
	})
	// A relay is up once its stream's first video frame reaches nginx:
	// ffmpeg probes its input for a while before it publishes.
	calls.waitDecided(ctx, upTimeout, func(r *callRecord) bool {
		if r.player == nil {
			return false
		}
		v, _ := r.player.stats()
		return v.Frames > 0
	})

	smp.setPhase("hold")
	relayPIDs := live()
	holdStart := sumUsage(relayPIDs)
	ctxStart := e.readContext()
	side.During = holdRelays(ctx, cfg.Hold, calls, relays, &mu)
	holdEnd := sumUsage(live())
	ctxEnd := e.readContext()

	smp.setPhase("down")
	ramp(ctx, len(relays), cfg.Rate, func(i int) {
		mu.Lock()
		rl := relays[i]
		mu.Unlock()
		if rl != nil {
			rl.stop(ctx)
		}
	})
	calls.closePlayers()
	prog.stop()
	prog = nil
	side.Samples = smp.series()

	calls.summarise(side)
	side.Active = Percentiles{} // no REST status: the relay has no RTMP_STREAM_ACTIVE
	var total time.Duration
	var peak, peakMax int64
	n := 0
	for _, rl := range relays {
		if rl == nil {
			continue
		}
		cpu, rss := rl.usage()
		total += cpu
		peak += rss
		peakMax = max(peakMax, rss)
		n++
	}
	nf := float64(max(n, 1))
	holdSecs := holdEnd.At.Sub(holdStart.At).Seconds()
	holdCPU := (holdEnd.CPU - holdStart.CPU).Seconds()
	side.CPU = CPUFigures{
		HoldSeconds: round(holdSecs, 2), HoldCPUSeconds: round(holdCPU, 2),
		HoldPct: round(100*holdCPU/holdSecs, 2), PerCallPct: round(100*holdCPU/holdSecs/nf, 3),
		TotalCPUSeconds: round(total.Seconds(), 2), PerCallSetupMs: round(1000*(total.Seconds()-holdCPU)/nf, 1),
	}
	side.Context = cpuPct(ctxStart, ctxEnd, side.CPU.HoldPct)
	side.Outsiders = e.outsiders(ctxStart, ctxEnd, relayPIDs)
	side.Memory = MemFigures{
		PeakMB: mb(peak), PerCallMB: round(mb(peak)/nf, 3), HoldEndMB: mb(holdEnd.RSS),
		PerCallPSS: round(mb(holdEnd.PSS)/nf, 3),
	}
	side.Media.UDP = readUDPCounters().sub(udp0)
	side.Before = Resources{Goroutines: -1}
	side.After = Resources{Processes: len(live()), Goroutines: -1}
	if side.After.Processes > 0 {
		side.Leaks = append(side.Leaks, "ffmpeg processes still running")
	}
	return side, nil
}

// holdRelays keeps the relays up for d, checking that each ffmpeg is
// still running and its stream still flows; it returns the relays' summed
// threads and files read halfway.
func holdRelays(ctx context.Context, d time.Duration, s *callSet, relays []*relay, mu *sync.Mutex) Resources {
	start := time.Now()
	var during Resources
	for time.Since(start) < d && ctx.Err() == nil {
		sleepCtx(ctx, min(holdCheck, d-time.Since(start)))
		mu.Lock()
		var pids []int
		for i, rl := range relays {
			if rl == nil {
				continue
			}
			if rl.exited() {
				s.update(s.recs[i], func(r *callRecord) {
					if r.lost == "" {
						r.lost = "ffmpeg exited"
					}
				})
				continue
			}
			pids = append(pids, rl.pid())
		}
		mu.Unlock()
		if during.Processes == 0 && time.Since(start) >= d/2 {
			u := sumUsage(pids)
			during = Resources{Threads: u.Threads, FDs: u.FDs, Goroutines: -1, Processes: len(pids)}
		}
		s.checkStalls(time.Now(), time.Since(start) >= d)
	}
	return during
}
