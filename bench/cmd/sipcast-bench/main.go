// Command sipcast-bench is sipcast's load benchmark: N concurrent calls
// through a real sipcast process against simulated SIP devices and
// nginx-rtmp, side by side with one ffmpeg relay per call. It prints a
// table (with progress while it runs) and writes the report as JSON.
//
//	sipcast-bench -calls 10 -hold 10s                  # what `make bench` runs
//	sipcast-bench -calls 300 -baseline 50 -hold 60s    # the big run
//
// `sipcast-bench device` is the simulated-device process the harness
// starts for itself; it is not meant to be run by hand.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sipcast/sipcast/bench/harness"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == harness.DeviceCommand {
		os.Exit(harness.DeviceMain(os.Args[2:]))
	}
	os.Exit(run())
}

func run() int {
	var cfg harness.Config
	var env, jsonPath string
	flag.IntVar(&cfg.Calls, "calls", 10, "concurrent sipcast calls")
	flag.IntVar(&cfg.Baseline, "baseline", 0, "ffmpeg relays of the baseline; 0: as many as -calls, -1: none")
	flag.Float64Var(&cfg.Rate, "rate", 50, "calls started (and ended) per second")
	flag.DurationVar(&cfg.Hold, "hold", 0, "how long all calls run together (default 10s)")
	flag.IntVar(&cfg.Devices, "devices", 1, "simulated-device processes")
	flag.StringVar(&cfg.Sipcast, "sipcast", "", "sipcast binary (default: go build ./cmd/sipcast)")
	flag.StringVar(&cfg.WorkDir, "dir", "", "work directory for logs (default: a new temporary one)")
	flag.IntVar(&cfg.RTPPorts, "rtp-ports", 20000, "first RTP port of sipcast's range; the relays' follows")
	flag.DurationVar(&cfg.Poll, "poll", 0, "find_all interval while calls start: the latency resolution (default 5ms)")
	flag.StringVar(&cfg.Perf, "perf", "", "record `perf record -g` of sipcast during the hold into this file")
	flag.StringVar(&env, "sipcast-env", "", "extra environment for sipcast, space-separated (e.g. GOGC=200)")
	flag.StringVar(&cfg.Label, "label", "", "name of the run in the report")
	flag.StringVar(&jsonPath, "json", "bench-report.json", "where to write the JSON report (empty: nowhere)")
	flag.Parse()
	if env != "" {
		cfg.SipcastEnv = strings.Fields(env)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rep, err := harness.Run(ctx, cfg)
	if rep != nil {
		rep.PrintTable(os.Stdout)
		if jsonPath != "" {
			if werr := rep.WriteJSON(jsonPath); werr != nil {
				fmt.Fprintln(os.Stderr, "sipcast-bench:", werr)
				return 1
			}
			fmt.Fprintln(os.Stderr, "report written to", jsonPath)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sipcast-bench:", err)
		return 1
	}
	return 0
}
