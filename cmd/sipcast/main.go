// Command sipcast is the SIP-to-RTMP gateway: configuration → actor engine → SIP user agent →
// REST API. In the dev profile it also runs an embedded RTMP server and a demo SIP callee, so the
// README's walk-through needs nothing else. SIGTERM drains within drain_timeout (every call ended
// with BYE, every stream unpublished, the last notifications sent); SIGINT, or a second signal,
// stops at once. `sipcast admin …` edits the settings the running server reads (admin.go).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sipcast/sipcast/actors/engine"
	"github.com/sipcast/sipcast/actors/notify"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/viewer"
)

// errInterrupted: SIGINT stopped the process without draining.
var errInterrupted = errors.New("interrupted")

func main() {
	if args, ok := adminArgs(os.Args[1:], os.Getenv); ok {
		os.Exit(runAdmin(args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	cfg, err := loadConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sipcast:", err)
		os.Exit(2)
	}
	log := newLogger(cfg)
	if err := run(cfg, log); err != nil {
		if errors.Is(err, errInterrupted) {
			os.Exit(130)
		}
		log.Error("sipcast stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfg Config, log *slog.Logger) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	ctx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()
	log.Info("starting sipcast", "profile", cfg.Profile, "sipIp", cfg.SIPIP, "sipPort", cfg.SIPPort,
		"restPort", cfg.RESTPort, "rtpPorts", cfg.RTPPorts)
	raiseFileLimit(log)

	closeDemo, err := startDemo(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDemo()
	ua, err := startSIP(cfg, log)
	if err != nil {
		return err
	}
	defer ua.Close()
	node, claimer, err := joinCluster(cfg, log)
	if err != nil {
		return err
	}
	if node != nil {
		defer node.Close() // after the drain: the lease's revocation frees what is left at once
	}
	store := newSettingsStore(cfg.DataDir, log)
	broker := notify.NewBroker()
	events := &notify.Handle{} // bound to the dispatcher once the actor system exists
	dir := viewer.NewDirectory()
	newCall, err := callFactory(cfg, ua, dir, log)
	if err != nil {
		return err
	}
	eng, err := engine.Start(registry.Config{
		EndedTTL: cfg.EndedCallTTL,
		NodeID:   cfg.nodeID(),
		Events:   events.CallChanged,
		Publish:  events.Publish, // DTMF received, registration outcomes
		MaxCalls: cfg.MaxCalls, Cluster: claimer, KeepOnClusterLoss: cfg.ClusterLostCalls == "keep",
		NewCall: newCall,
	}, log)
	if err != nil {
		return err
	}

	if err := events.Start(eng.System, notifyConfig(cfg, log, store, broker)); err != nil {
		return err
	}
	calls, err := clusterREST(cfg, log, eng, node)
	if err != nil {
		return err
	}
	web, hlsServer, closePlayback, err := startPlaybackServers(cfg, eng, dir, log)
	if err != nil {
		return err
	}
	defer closePlayback()
	rest, err := startREST(cfg, log, calls, store, broker, web, hlsServer)
	if err != nil {
		return err
	}

	select {
	case sig := <-sigs:
		if sig == syscall.SIGINT {
			log.Warn("SIGINT: stopping at once; calls are not ended")
			return errInterrupted
		}
		log.Info("SIGTERM: ending every call", "within", cfg.DrainTimeout)
	case err := <-rest.Err():
		return fmt.Errorf("REST server: %w", err)
	}
	signal.Reset(syscall.SIGTERM, syscall.SIGINT) // a second signal now kills the process the default way
	deadline := time.Now().Add(cfg.DrainTimeout)
	drainCtx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	drain(drainCtx, eng, log)
	if err := events.Flush(flushTime(deadline)); err != nil {
		log.Warn("drain: notifications not all sent", "err", err)
	}
	broker.Close() // the event streams end, so the REST servers can stop
	rest.Shutdown(2 * time.Second)
	events.Stop()
	eng.Stop(cfg.DrainTimeout)
	log.Info("sipcast stopped")
	return nil
}

// flushTime is what is left for the last notifications: the drain's remainder, and a moment
// even when the calls took all of it.
func flushTime(deadline time.Time) time.Duration {
	const least = 100 * time.Millisecond
	if d := time.Until(deadline); d > least {
		return d
	}
	return least
}

// drain terminates every live call in parallel and waits for them, within ctx.
func drain(ctx context.Context, eng *engine.Engine, log *slog.Logger) {
	calls, err := eng.Find(ctx, nil)
	if err != nil {
		log.Warn("drain: list calls", "err", err)
		return
	}
	done := make(chan struct{}, len(calls))
	for _, c := range calls {
		go func(id string) {
			if err := eng.Terminate(ctx, id); err != nil && !errors.Is(err, registry.ErrNotFound) {
				log.Warn("drain: terminate", "callId", id, "err", err)
			}
			done <- struct{}{}
		}(c.CallID)
	}
	for range calls {
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}

func newLogger(cfg Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	l := slog.New(h)
	slog.SetDefault(l)
	return l
}
