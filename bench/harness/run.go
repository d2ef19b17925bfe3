package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// nginxConnsPerCall: a publisher and a player per stream, plus slack.
const nginxConnsPerCall = 3

// Run performs one benchmark: nginx and the device processes start, then
// the sipcast phase, then the ffmpeg baseline, each ramped, held and ended.
// The report is returned even when a phase failed part-way (with the error).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dir := cfg.WorkDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "sipcast-bench-"); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "nginx"), 0o755); err != nil {
		return nil, err
	}
	rep := &Report{
		Label: cfg.Label, Started: time.Now().UTC().Truncate(time.Second), Machine: describeMachine(), WorkDir: dir,
		Settings: Settings{Calls: cfg.Calls, Baseline: cfg.Baseline, Rate: cfg.Rate, HoldSeconds: cfg.Hold.Seconds(),
			Devices: cfg.Devices, PollMs: ms(cfg.Poll), FFmpegRelay: "ffmpeg " + strings.Join(FFmpegRelayArgs, " "),
			SipcastExtra: strings.Join(cfg.SipcastEnv, " ")},
	}
	fmt.Fprintf(cfg.Progress, "sipcast-bench: %s on %s\nwork dir %s\n", cfg.Label, rep.Machine, dir)

	bin := cfg.Sipcast
	if bin == "" {
		fmt.Fprintln(cfg.Progress, "building sipcast…")
		if bin, err = buildSipcast(ctx, dir); err != nil {
			return nil, err
		}
	}
	nginx, err := peers.LaunchNginx(filepath.Join(dir, "nginx"),
		peers.WithWorkerConnections(nginxConnsPerCall*max(cfg.Calls, cfg.Baseline)+64))
	if err != nil {
		return nil, err
	}
	defer nginx.Stop()
	devs, err := startDevices(ctx, cfg.Self, dir, cfg.Devices)
	if err != nil {
		return nil, err
	}
	defer stopDevices(devs)
	e := &env{cfg: cfg, dir: dir, nginx: nginx, devs: devs}

	if cfg.Calls > 0 {
		if rep.Sipcast, err = runSipcast(ctx, e, bin); err != nil {
			return rep, fmt.Errorf("sipcast phase: %w", err)
		}
	}
	if cfg.Baseline > 0 && ctx.Err() == nil {
		if rep.FFmpeg, err = runBaseline(ctx, e); err != nil {
			return rep, fmt.Errorf("ffmpeg phase: %w", err)
		}
	}
	rep.Ratios = ratios(rep.Sipcast, rep.FFmpeg)
	rep.Targets = checkTargets(cfg, rep)
	return rep, ctx.Err()
}

// ratios are sipcast/ffmpeg for every per-call figure both sides have.
func ratios(s, f *Side) map[string]float64 {
	if s == nil || f == nil {
		return nil
	}
	return map[string]float64{
		"cpuPerCall":        ratio(s.CPU.PerCallPct, f.CPU.PerCallPct),
		"setupCpuPerCall":   ratio(s.CPU.PerCallSetupMs, f.CPU.PerCallSetupMs),
		"rssPerCall":        ratio(s.Memory.PerCallMB, f.Memory.PerCallMB),
		"pssPerCall":        ratio(s.Memory.PerCallPSS, f.Memory.PerCallPSS),
		"establishedP50":    ratio(s.Established.P50, f.Established.P50),
		"firstFrameP50":     ratio(s.FirstFrame.P50, f.FirstFrame.P50),
		"firstFrameP99":     ratio(s.FirstFrame.P99, f.FirstFrame.P99),
		"videoDeliveredPct": ratio(s.Media.VideoDeliveredPct, f.Media.VideoDeliveredPct),
		"audioDeliveredPct": ratio(s.Media.AudioDeliveredPct, f.Media.AudioDeliveredPct),
	}
}

// WriteJSON writes the report, indented, to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
