package harness

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// interferencePct is how much unattributed machine CPU (% of one core)
// during a hold earns the run a warning: more than the harness's own
// sampling and the kernel's background work account for.
const interferencePct = 15

// PrintTable writes the report as a side-by-side table with the targets.
func (r *Report) PrintTable(w io.Writer) {
	fmt.Fprintf(w, "\n%s — %s\n%s\n", r.Label, r.Started.Format("2006-01-02 15:04 UTC"), r.Machine)
	fmt.Fprintf(w, "%d sipcast calls, %d ffmpeg relays, %.0f starts/s, hold %.0f s, %d device process(es)\n",
		r.Settings.Calls, r.Settings.Baseline, r.Settings.Rate, r.Settings.HoldSeconds, r.Settings.Devices)
	if r.Sipcast != nil {
		fmt.Fprintf(w, "sipcast statuses from the %s\n", r.Sipcast.LatencySource)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tsipcast\tffmpeg\tratio\t")
	s, f := r.Sipcast, r.FFmpeg
	row := func(name string, get func(*Side) string, ratioKey string) {
		q := ""
		if v, ok := r.Ratios[ratioKey]; ok && v != 0 {
			q = fmt.Sprintf("%.3f", v)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, cell(s, get), cell(f, get), q)
	}
	row("calls attempted/established", func(x *Side) string {
		return fmt.Sprintf("%d/%d", x.Calls.Attempted, x.Calls.Established)
	}, "")
	row("calls failed/lost", func(x *Side) string { return fmt.Sprintf("%d/%d", x.Calls.Failed, x.Calls.Lost) }, "")
	row("→ ESTABLISHED p50/p95/p99 ms", func(x *Side) string { return pct(x.Established) }, "establishedP50")
	row("→ RTMP_STREAM_ACTIVE p50/p95/p99 ms", func(x *Side) string { return pct(x.Active) }, "")
	row("→ first video frame p50/p95/p99 ms", func(x *Side) string { return pct(x.FirstFrame) }, "firstFrameP50")
	row("CPU during hold, % of a core", func(x *Side) string { return fmt.Sprintf("%.1f", x.CPU.HoldPct) }, "")
	row("CPU per call, % of a core", func(x *Side) string { return fmt.Sprintf("%.3f", x.CPU.PerCallPct) }, "cpuPerCall")
	row("set-up+tear-down CPU per call, ms", func(x *Side) string { return fmt.Sprintf("%.1f", x.CPU.PerCallSetupMs) }, "setupCpuPerCall")
	row("CPU seconds, whole phase", func(x *Side) string { return fmt.Sprintf("%.1f", x.CPU.TotalCPUSeconds) }, "")
	row("peak RSS, MB", func(x *Side) string { return fmt.Sprintf("%.1f", x.Memory.PeakMB) }, "")
	row("RSS per call, MB", func(x *Side) string { return fmt.Sprintf("%.2f", x.Memory.PerCallMB) }, "rssPerCall")
	row("PSS per call, MB", func(x *Side) string { return fmt.Sprintf("%.2f", x.Memory.PerCallPSS) }, "pssPerCall")
	row("video frames delivered, %", func(x *Side) string {
		return fmt.Sprintf("%.3f (%d/%d)", x.Media.VideoDeliveredPct, x.Media.VideoFrames, x.Media.VideoExpected)
	}, "videoDeliveredPct")
	row("audio frames delivered, %", func(x *Side) string {
		return fmt.Sprintf("%.3f (%d/%d)", x.Media.AudioDeliveredPct, x.Media.AudioFrames, x.Media.AudioExpected)
	}, "audioDeliveredPct")
	row("video timestamp gaps", func(x *Side) string { return fmt.Sprint(x.Media.VideoGaps) }, "")
	row("RTP packets in (audio/video)", func(x *Side) string {
		if x.Media.RTPPackets == nil {
			return "-"
		}
		return fmt.Sprintf("%d/%d", x.Media.RTPPackets["audio"], x.Media.RTPPackets["video"])
	}, "")
	row("RTP reads per call-second, datagrams per read", func(x *Side) string {
		if x.Media.Poll == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f, %.2f", x.Media.Poll.ReadsPerCallSecond, x.Media.Poll.DatagramsPerRead)
	}, "")
	row("RTP poll rounds/s, reads per round", func(x *Side) string {
		if x.Media.Poll == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f, %.1f", x.Media.Poll.RoundsPerSecond, x.Media.Poll.ReadsPerRound)
	}, "")
	row("UDP drops (rcvbuf/in errors)", func(x *Side) string {
		return fmt.Sprintf("%d/%d", x.Media.UDP.RcvbufErrors, x.Media.UDP.InErrors)
	}, "")
	row("threads before/during/after", func(x *Side) string {
		return fmt.Sprintf("%d/%d/%d", x.Before.Threads, x.During.Threads, x.After.Threads)
	}, "")
	row("fds before/during/after", func(x *Side) string {
		return fmt.Sprintf("%d/%d/%d", x.Before.FDs, x.During.FDs, x.After.FDs)
	}, "")
	row("goroutines before/after", func(x *Side) string {
		if x.Before.Goroutines < 0 {
			return fmt.Sprintf("%d procs after", x.After.Processes)
		}
		return fmt.Sprintf("%d/%d (%d/%d idle http)", x.Before.Goroutines, x.After.Goroutines,
			x.Before.PooledGoroutines, x.After.PooledGoroutines)
	}, "")
	row("video stalls > 3 s (late, not lost)", func(x *Side) string { return fmt.Sprint(x.Media.Stalls) }, "")
	row("other CPU % (devices/nginx/harness)", func(x *Side) string {
		return fmt.Sprintf("%.0f/%.0f/%.0f", x.Context["devices"], x.Context["nginx"], x.Context["harness"])
	}, "")
	row("machine CPU % (busy/irq/steal/other)", func(x *Side) string {
		return fmt.Sprintf("%.0f/%.0f/%.0f/%.0f", x.Context["machine"], x.Context["irq"], x.Context["steal"],
			x.Context["unattributed"])
	}, "")
	_ = tw.Flush()
	for _, x := range []*Side{s, f} {
		if x != nil && x.Context["unattributed"] > interferencePct {
			fmt.Fprintf(w, "WARNING: during the %s hold %.0f%% of a core went to processes outside the run "+
				"(%s): its figures are suspect\n", x.Name, x.Context["unattributed"], strings.Join(x.Outsiders, ", "))
		}
	}

	fmt.Fprintln(w, "\ntargets:")
	for _, t := range r.Targets {
		mark := "MET "
		if !t.Met {
			mark = "MISS"
		}
		reason := ""
		if t.Reason != "" {
			reason = " (" + t.Reason + ")"
		}
		fmt.Fprintf(w, "  %s %-34s want %-16s got %s%s\n", mark, t.Name, t.Want, t.Got, reason)
	}
	for _, x := range []*Side{s, f} {
		if x != nil && len(x.Errors) > 0 {
			fmt.Fprintf(w, "\n%s errors (first %d):\n  %s\n", x.Name, len(x.Errors), strings.Join(x.Errors, "\n  "))
		}
	}
	fmt.Fprintln(w)
}

func cell(x *Side, get func(*Side) string) string {
	if x == nil {
		return "-"
	}
	return get(x)
}

func pct(p Percentiles) string {
	if p.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f/%.0f/%.0f", p.P50, p.P95, p.P99)
}
