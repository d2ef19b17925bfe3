package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/engine"
	"github.com/sipcast/sipcast/actors/hls"
	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/api"
	"github.com/sipcast/sipcast/demo/device"
	"github.com/sipcast/sipcast/demo/rtmpserver"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/playback"
)

// The steps of run, one function each, in the order run takes them.

// startDemo starts what the dev profile's demo needs (the embedded RTMP server, the demo SIP
// callee), each only when configured; the returned function closes what was started.
func startDemo(ctx context.Context, cfg Config, log *slog.Logger) (func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if cfg.RTMPServer != "" {
		srv := &rtmpserver.Server{Addr: cfg.RTMPServer, Logger: log.With("component", "rtmpserver"),
			MaxConns: cfg.RTMPMaxConns, MaxConnsPerIP: cfg.RTMPMaxConnsPerIP}
		if err := srv.Start(); err != nil {
			return nil, fmt.Errorf("embedded RTMP server: %w", err)
		}
		closers = append(closers, func() { srv.Close() })
		log.Info("embedded RTMP server listening", "addr", srv.ListenAddr().String())
	}
	if cfg.DemoDevice != "" {
		dev, err := device.New(device.Config{Addr: cfg.DemoDevice, Logger: log.With("component", "demo-device")})
		if err == nil {
			err = dev.Start(ctx)
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("demo device: %w", err)
		}
		closers = append(closers, func() { dev.Close() })
		log.Info("demo SIP callee listening", "addr", cfg.DemoDevice)
	}
	return closeAll, nil
}

// startSIP starts the one SIP stack every call shares, with its listeners' limits.
func startSIP(cfg Config, log *slog.Logger) (*sipua.UA, error) {
	sipTLS, err := cfg.sipTLS()
	if err != nil {
		return nil, err
	}
	sipTLSListener, err := cfg.sipTLSListener(log)
	if err != nil {
		return nil, err
	}
	return sipua.New(sipua.Config{ListenIP: cfg.SIPIP, Port: cfg.SIPPort, ContactIP: cfg.publicIP(),
		NoTCP: !cfg.SIPTCP, TLS: sipTLS, TLSListener: sipTLSListener, Logger: log,
		Limits: sipua.ListenLimits{MaxConns: cfg.SIPMaxConns, MaxPerSource: cfg.SIPMaxConnsPerIP,
			IdleTimeout: cfg.SIPIdleTimeout, HandshakeTimeout: cfg.TLSHandshake}})
}

// callFactory returns what the registry spawns for each call: the call actor with every
// setting the configuration gives a call.
func callFactory(cfg Config, ua *sipua.UA, dir *viewer.Directory, log *slog.Logger) (func(callapi.Startup) *actor.Props, error) {
	min, max, _ := cfg.rtpRange()
	ports, err := rtp.NewPorts(net.ParseIP(cfg.SIPIP), min, max)
	if err != nil {
		return nil, err
	}
	rtmpTLS, err := cfg.rtmpTLS()
	if err != nil {
		return nil, err
	}
	rtmpAudio, _ := frame.ParseAudioCodec(cfg.RTMPAudio)
	media, _ := cfg.callMedia() // validated with the configuration
	reconnect := rtmp.Reconnect{Attempts: cfg.RTMPReconnectTries, Within: cfg.RTMPReconnectFor,
		Backoff: cfg.RTMPBackoff, MaxBackoff: cfg.RTMPMaxBackoff}
	var viewers, hlsActors func(callID, stream string) *actor.Props
	if cfg.playbackOn() {
		viewers, hlsActors = cfg.viewersProps(dir, log), cfg.hlsProps(dir, log)
	}
	nodeID := cfg.nodeID()
	return func(spec callapi.Startup) *actor.Props {
		return call.NewProps(call.Config{Spec: spec, SIP: ua, Ports: ports, MediaIP: cfg.publicIP(),
			SessionExpires: cfg.SessionExpires, MinSE: cfg.MinSE, MediaTimeout: cfg.MediaTimeout,
			MediaStartTimeout: cfg.MediaStartTimeout, Latching: cfg.RTPLatching, RegisterExpires: cfg.RegisterExpires,
			InviteTimeout: cfg.InviteTimeout, AACRate: cfg.AACSampleRate, RTMPGapFill: cfg.gapFill(),
			RTMPConnectTimeout: cfg.RTMPConnectTimeout, RTMPReconnect: reconnect, RTMPTLS: rtmpTLS,
			RTMPAudio: rtmpAudio, HangupOnRTMPFailure: cfg.RTMPFailHangup, NodeID: nodeID, Logger: log,
			AudioCodecs: media.audio, VideoCodecs: media.video, Media: media.rtp, Video: media.encoder,
			Viewers: viewers, HLS: hlsActors})
	}, nil
}

// startPlaybackServers starts WHEP (its UDP port) and the LL-HLS server when playback is on;
// either may be nil (playback off, or WebRTC off in dev because its port is taken).
func startPlaybackServers(cfg Config, eng *engine.Engine, dir *viewer.Directory, log *slog.Logger) (api.WHEP, api.HLS, func(), error) {
	if !cfg.playbackOn() {
		return nil, nil, func() {}, nil
	}
	hlsServer := &hls.Server{System: eng.System, Directory: dir}
	srv, off, err := startPlayback(cfg, eng.System, dir, log)
	if err != nil {
		return nil, nil, nil, err
	}
	if srv == nil {
		return whepOff{off}, hlsServer, func() {}, nil
	}
	return srv, hlsServer, func() { srv.Close() }, nil
}

// whepOff answers every WHEP request of a dev gateway whose WebRTC port was taken at start with
// 503 and why, rather than a bare 404 that would read as "no such stream".
type whepOff struct{ why error }

func (w whepOff) Offer(context.Context, string, []byte) (string, string, error) {
	return "", "", fmt.Errorf("%w: WebRTC is off on this gateway: %v", playback.ErrUnavailable, w.why)
}

func (w whepOff) Delete(context.Context, string, string) error {
	return fmt.Errorf("%w: WebRTC is off on this gateway: %v", playback.ErrUnavailable, w.why)
}
