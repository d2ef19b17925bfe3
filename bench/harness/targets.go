package harness

import "fmt"

// The targets for a 2-core machine.
const (
	targetCPURatio      = 0.1  // sipcast CPU per call ≤ 1/10 of ffmpeg's
	targetRSSPerCallMB  = 3.0  // sipcast RSS per call
	targetDeliveredPct  = 99.9 // frames delivered
	targetEstablishedMs = 50.0 // startup → ESTABLISHED p99, at ≥ 50 starts/s
	targetRate          = 50.0
	// perCallMinCalls: below this many calls, the process's fixed costs
	// (runtime, timers, heap headroom) weigh on the per-call figures.
	perCallMinCalls = 50
)

// checkTargets judges the run against the targets. A target the
// run cannot judge (no baseline, a rate below 50/s) says why.
func checkTargets(cfg Config, r *Report) []Target {
	s := r.Sipcast
	if s == nil {
		return nil
	}
	var out []Target
	cpu := Target{Name: "CPU per call vs ffmpeg", Want: fmt.Sprintf("≤ %.2f×", targetCPURatio)}
	if r.FFmpeg != nil && r.FFmpeg.CPU.PerCallPct > 0 {
		q := s.CPU.PerCallPct / r.FFmpeg.CPU.PerCallPct
		cpu.Got, cpu.Met = fmt.Sprintf("%.3f× (%.3f%% vs %.3f%% of a core)", q, s.CPU.PerCallPct, r.FFmpeg.CPU.PerCallPct), q <= targetCPURatio
	} else {
		cpu.Reason = "no baseline in this run"
	}
	rss := Target{Name: "RSS per call", Want: fmt.Sprintf("≤ %.0f MB", targetRSSPerCallMB),
		Got: fmt.Sprintf("%.2f MB", s.Memory.PerCallMB), Met: s.Memory.PerCallMB <= targetRSSPerCallMB}
	if cfg.Calls < perCallMinCalls {
		few := fmt.Sprintf("under %d calls fixed costs weigh on it", perCallMinCalls)
		if cpu.Reason == "" {
			cpu.Reason = few
		}
		rss.Reason = few
	}
	out = append(out, cpu, rss,
		Target{Name: "video frames delivered", Want: fmt.Sprintf("≥ %.1f %%", targetDeliveredPct),
			Got: fmt.Sprintf("%.3f %%", s.Media.VideoDeliveredPct), Met: s.Media.VideoDeliveredPct >= targetDeliveredPct},
		Target{Name: "calls failed or lost", Want: "0",
			Got: fmt.Sprintf("%d failed, %d lost of %d", s.Calls.Failed, s.Calls.Lost, s.Calls.Attempted),
			Met: s.Calls.Failed == 0 && s.Calls.Lost == 0 && s.Calls.Attempted == cfg.Calls},
	)
	est := Target{Name: "startup → ESTABLISHED p99", Want: fmt.Sprintf("≤ %.0f ms at %.0f/s", targetEstablishedMs, targetRate),
		Got: fmt.Sprintf("%.1f ms at %.0f/s", s.Established.P99, cfg.Rate), Met: s.Established.P99 <= targetEstablishedMs}
	if cfg.Rate < targetRate {
		est.Met, est.Reason = false, "rate below the target's"
	}
	out = append(out, est,
		Target{Name: "fds and goroutines back to start", Want: "no leak",
			Got: leakText(s), Met: len(s.Leaks) == 0 && s.After.Goroutines >= 0})
	return out
}

func leakText(s *Side) string {
	if len(s.Leaks) == 0 {
		return fmt.Sprintf("fds %d→%d, goroutines %d→%d", s.Before.FDs, s.After.FDs, s.Before.Goroutines, s.After.Goroutines)
	}
	return fmt.Sprint(s.Leaks)
}
