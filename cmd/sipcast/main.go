// Command sipcast is the SIP-to-RTMP gateway: configuration → actor engine → SIP user agent →
// REST API. In the dev profile it also runs an embedded RTMP server and a demo SIP callee, so the
// README's walk-through needs nothing else. SIGTERM drains (every call ended with BYE, every
// stream unpublished); SIGINT does the same, and a second signal stops at once.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/engine"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/actors/sipua"
	"github.com/sipcast/sipcast/actors/stream"
	"github.com/sipcast/sipcast/api"
	"github.com/sipcast/sipcast/bench/device"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/rtmpserver"
)

// drainTimeout bounds a graceful stop: BYEs are bounded at 5 s each, run in parallel.
const drainTimeout = 15 * time.Second

func main() {
	cfg, err := loadConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sipcast:", err)
		os.Exit(2)
	}
	log := newLogger(cfg)
	if err := run(cfg, log); err != nil {
		log.Error("sipcast stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfg Config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log.Info("starting sipcast", "profile", cfg.Profile, "sipIp", cfg.SIPIP, "sipPort", cfg.SIPPort,
		"restPort", cfg.RESTPort, "rtpPorts", cfg.RTPPorts)

	if cfg.RTMPServer != "" {
		srv := &rtmpserver.Server{Addr: cfg.RTMPServer, Logger: log.With("component", "rtmpserver")}
		if err := srv.Start(); err != nil {
			return fmt.Errorf("embedded RTMP server: %w", err)
		}
		defer srv.Close()
		log.Info("embedded RTMP server listening", "addr", srv.ListenAddr().String())
	}
	if cfg.DemoDevice != "" {
		dev, err := device.New(device.Config{Addr: cfg.DemoDevice, Logger: log.With("component", "demo-device")})
		if err != nil {
			return fmt.Errorf("demo device: %w", err)
		}
		if err := dev.Start(ctx); err != nil {
			return fmt.Errorf("demo device: %w", err)
		}
		defer dev.Close()
		log.Info("demo SIP callee listening", "addr", cfg.DemoDevice)
	}

	ua, err := sipua.New(sipua.Config{ListenIP: cfg.SIPIP, Port: cfg.SIPPort, Logger: log})
	if err != nil {
		return err
	}
	defer ua.Close()
	min, max, _ := cfg.rtpRange()
	ports, err := rtp.NewPorts(net.ParseIP(cfg.SIPIP), min, max)
	if err != nil {
		return err
	}
	rtmpTLS, err := cfg.rtmpTLS()
	if err != nil {
		return err
	}
	rtmpAudio, _ := stream.ParseAudioCodec(cfg.RTMPAudio)
	reconnect := rtmp.Reconnect{Attempts: cfg.RTMPReconnectTries, Within: cfg.RTMPReconnectFor,
		Backoff: cfg.RTMPBackoff, MaxBackoff: cfg.RTMPMaxBackoff}
	hostname, _ := os.Hostname()
	nodeID := hostname + "@" + cfg.SIPIP
	eng, err := engine.Start(registry.Config{
		EndedTTL: cfg.EndedCallTTL,
		NodeID:   nodeID,
		NewCall: func(spec callapi.Startup) *actor.Props {
			return call.NewProps(call.Config{Spec: spec, SIP: ua, Ports: ports, MediaIP: cfg.SIPIP,
				InviteTimeout: cfg.InviteTimeout, AACRate: cfg.AACSampleRate,
				RTMPConnectTimeout: cfg.RTMPConnectTimeout, RTMPReconnect: reconnect, RTMPTLS: rtmpTLS,
				RTMPAudio: rtmpAudio, HangupOnRTMPFailure: cfg.RTMPFailHangup, NodeID: nodeID, Logger: log})
		},
	}, log)
	if err != nil {
		return err
	}

	app := api.New(api.Config{Logger: log, PushPrefix: cfg.PushPrefix, SoundsDir: cfg.SoundsDir}, eng)
	restAddr := net.JoinHostPort("", strconv.Itoa(cfg.RESTPort))
	ln, err := net.Listen("tcp", restAddr)
	if err != nil {
		return fmt.Errorf("REST listen %s: %w", restAddr, err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	log.Info("REST API listening", "addr", ln.Addr().String())

	select {
	case <-ctx.Done():
		log.Info("signal received: ending every call")
	case err := <-served:
		return fmt.Errorf("REST server: %w", err)
	}
	stop() // a second signal now kills the process the default way
	drainCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	drain(drainCtx, eng, log)
	_ = app.ShutdownWithTimeout(2 * time.Second)
	eng.Stop(drainTimeout)
	log.Info("sipcast stopped")
	return nil
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
