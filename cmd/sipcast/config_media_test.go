package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/sdp"
)

func TestMediaConfig(t *testing.T) {
	yaml := filepath.Join(t.TempDir(), "sipcast.yaml")
	if err := os.WriteFile(yaml, []byte("audio_codecs: opus,pcmu\nrtp_jitter_depth: 60ms\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, m callMedia)
		err   string
	}{
		{name: "defaults: every codec, spec's first; jitter buffer on", check: func(t *testing.T, m callMedia) {
			if len(m.audio) != 5 || m.audio[0] != sdp.CodecPCMA || m.audio[1] != sdp.CodecPCMU || m.audio[4] != sdp.CodecOpus {
				t.Fatalf("audio %+v", m.audio)
			}
			if len(m.video) != 3 || m.video[0] != sdp.CodecH264Mode1 || m.video[2] != sdp.CodecVP8 {
				t.Fatalf("video %+v", m.video)
			}
			if m.rtp.JitterOff || m.rtp.JitterDepth != 100*time.Millisecond || m.rtp.KeyInterval != 2*time.Second {
				t.Fatalf("rtp %+v", m.rtp)
			}
			if m.encoder.Bitrate != 1_000_000 || m.encoder.Preset != "veryfast" || m.encoder.KeyInterval != 2*time.Second {
				t.Fatalf("encoder %+v", m.encoder)
			}
		}},
		{name: "YAML, then env", args: []string{"-config", yaml}, env: map[string]string{"SIPCAST_RTP_JITTER_BUFFER": "false",
			"SIPCAST_VIDEO_CODECS": "vp8"}, check: func(t *testing.T, m callMedia) {
			if len(m.audio) != 2 || m.audio[0] != sdp.CodecOpus || m.rtp.JitterDepth != 60*time.Millisecond || !m.rtp.JitterOff {
				t.Fatalf("%+v", m)
			}
			if len(m.video) != 1 || m.video[0] != sdp.CodecVP8 {
				t.Fatalf("video %+v", m.video)
			}
		}},
		{name: "flags", args: []string{"-video-preset", "ultrafast", "-video-bitrate", "500000", "-video-key-interval", "4s"},
			check: func(t *testing.T, m callMedia) {
				if m.encoder.Preset != "ultrafast" || m.encoder.Bitrate != 500_000 || m.rtp.KeyInterval != 4*time.Second {
					t.Fatalf("%+v", m)
				}
			}},
		{name: "unknown codec", env: map[string]string{"SIPCAST_AUDIO_CODECS": "pcmu,g729"}, err: "audio_codecs"},
		{name: "video codec on audio", env: map[string]string{"SIPCAST_AUDIO_CODECS": "vp8"}, err: "audio_codecs"},
		{name: "no video codec", env: map[string]string{"SIPCAST_VIDEO_CODECS": ","}, err: "video_codecs"},
		{name: "read interval", env: map[string]string{"SIPCAST_RTP_READ_INTERVAL": "0"},
			check: func(t *testing.T, m callMedia) {
				if m.rtp.Poller == nil {
					t.Fatal("no poller")
				}
			}},
		{name: "read interval too long", env: map[string]string{"SIPCAST_RTP_READ_INTERVAL": "50ms"}, err: "rtp_read_interval"},
		{name: "read interval negative", env: map[string]string{"SIPCAST_RTP_READ_INTERVAL": "-1ms"}, err: "rtp_read_interval"},
		{name: "depth too long", env: map[string]string{"SIPCAST_RTP_JITTER_DEPTH": "5s"}, err: "rtp_jitter_depth"},
		{name: "bad preset", env: map[string]string{"SIPCAST_VIDEO_PRESET": "placebo"}, err: "video_preset"},
		{name: "bitrate too low", env: map[string]string{"SIPCAST_VIDEO_BITRATE": "1000"}, err: "video_bitrate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(tc.args, env(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.callMedia()
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, m)
		})
	}
}
