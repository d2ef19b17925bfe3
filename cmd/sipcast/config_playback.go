package main

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/hls"
	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/actors/whep"
)

// PlaybackConfig is the part of the configuration about watching calls (WHEP, the calls page),
// embedded in Config.
type PlaybackConfig struct {
	Playback       string `yaml:"playback"`         // on | off: WHEP, LL-HLS and the calls page
	WebRTCUDPPort  int    `yaml:"webrtc_udp_port"`  // 8189: the one UDP port of every WebRTC viewer
	WebRTCPublicIP string `yaml:"webrtc_public_ip"` // "": sip_public_ip, else sip_ip. Candidate address behind 1:1 NAT
	MaxViewers     int    `yaml:"max_viewers"`      // 100 WHEP viewers per stream; more get 503
	PlaybackSecret string `yaml:"playback_secret"`  // "": no playback tokens. HMAC key of ?token= (sipcast admin playback-token)
}

func defaultPlayback() PlaybackConfig {
	return PlaybackConfig{Playback: "on", WebRTCUDPPort: whep.DefaultUDPPort, MaxViewers: viewer.DefaultMaxViewers}
}

func (c *Config) playbackSettings() []setting {
	p := &c.PlaybackConfig
	return []setting{
		{"SIPCAST_PLAYBACK", "playback", "watching calls in a browser (WHEP, HLS, the calls page): on or off", &p.Playback},
		{"SIPCAST_WEBRTC_UDP_PORT", "webrtc-udp-port", "UDP port of every WebRTC (WHEP) viewer", &p.WebRTCUDPPort},
		{"SIPCAST_WEBRTC_PUBLIC_IP", "webrtc-public-ip", "address WebRTC viewers are told to send to (1:1 NAT); default: sip-public-ip, else sip-ip", &p.WebRTCPublicIP},
		{"SIPCAST_MAX_VIEWERS", "max-viewers", "WHEP viewers per stream at most; more get 503", &p.MaxViewers},
		{"SIPCAST_PLAYBACK_SECRET", "playback-secret", "key of the playback tokens (?token=) that open one stream without the credentials; empty: none", &p.PlaybackSecret},
	}
}

func (c Config) validatePlayback() []error {
	var errs []error
	switch c.Playback {
	case "on", "off", "":
	default:
		errs = append(errs, fmt.Errorf("playback %q: want on or off", c.Playback))
	}
	if c.WebRTCUDPPort < 1 || c.WebRTCUDPPort > 65535 {
		errs = append(errs, fmt.Errorf("webrtc_udp_port %d out of range", c.WebRTCUDPPort))
	}
	if c.WebRTCPublicIP != "" {
		if ip := net.ParseIP(c.WebRTCPublicIP); ip == nil || ip.IsUnspecified() {
			errs = append(errs, fmt.Errorf("webrtc_public_ip %q is not a usable IP address", c.WebRTCPublicIP))
		}
	}
	if c.MaxViewers < 1 {
		errs = append(errs, fmt.Errorf("max_viewers %d: want at least 1", c.MaxViewers))
	}
	return errs
}

// playbackOn reports whether calls can be watched at all ("off" is read as "" by set).
func (c Config) playbackOn() bool { return c.Playback == "on" }

// startPlayback binds the WebRTC port. Taken: production fails to start (err); dev warns and runs
// without WebRTC (the REST API, RTMP and HLS work as before), off saying why for the WHEP routes.
func startPlayback(cfg Config, system *actor.ActorSystem, dir *viewer.Directory, log *slog.Logger) (srv *whep.Server, off, err error) {
	public := firstNonEmpty(cfg.WebRTCPublicIP, cfg.SIPPublicIP)
	srv, err = whep.New(whep.Config{System: system, Directory: dir, ListenIP: cfg.SIPIP, UDPPort: cfg.WebRTCUDPPort,
		PublicIP: public, Logger: log})
	if err != nil {
		if cfg.Profile == "production" {
			return nil, nil, err
		}
		log.Warn("WebRTC playback off", "err", err)
		return nil, err, nil
	}
	log.Info("WebRTC (WHEP) listening", "udp", srv.Addr().String())
	return srv, nil, nil
}

// hlsProps is the call actors' factory of LL-HLS actors.
func (c Config) hlsProps(dir *viewer.Directory, log *slog.Logger) func(callID, stream string) *actor.Props {
	return func(callID, stream string) *actor.Props {
		return hls.NewProps(hls.Config{Stream: stream, CallID: callID, Directory: dir, Logger: log})
	}
}

// viewersProps is the call actors' factory of viewers hubs.
func (c Config) viewersProps(dir *viewer.Directory, log *slog.Logger) func(callID, stream string) *actor.Props {
	return func(callID, stream string) *actor.Props {
		return viewer.NewProps(viewer.Config{Stream: stream, CallID: callID, Directory: dir,
			MaxViewers: c.MaxViewers, Logger: log})
	}
}
