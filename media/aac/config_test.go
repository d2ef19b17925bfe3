package aac

import (
	"errors"
	"testing"
)

func TestConfigWithDefaults(t *testing.T) {
	cases := []struct {
		name string
		in   Config
		want Config
		err  error
	}{
		{"g711 defaults", Config{InputRate: 8000}, Config{InputRate: 8000, OutputRate: 8000, Channels: 1, Bitrate: 32000, Quality: 1.3, Coder: CoderFast}, nil},
		{"wideband defaults", Config{InputRate: 16000}, Config{InputRate: 16000, OutputRate: 16000, Channels: 1, Bitrate: 32000, Coder: CoderFast}, nil},
		{"resample to 48k", Config{InputRate: 8000, OutputRate: 48000}, Config{InputRate: 8000, OutputRate: 48000, Channels: 1, Bitrate: 48000, Cutoff: 4000, Quality: 1.3, Coder: CoderFast}, nil},
		{"wideband to 48k", Config{InputRate: 16000, OutputRate: 48000}, Config{InputRate: 16000, OutputRate: 48000, Channels: 1, Bitrate: 64000, Cutoff: 8000, Coder: CoderFast}, nil},
		{"opus 48k", Config{InputRate: 48000}, Config{InputRate: 48000, OutputRate: 48000, Channels: 1, Bitrate: 64000, Coder: CoderFast}, nil},
		{"explicit bitrate kept", Config{InputRate: 8000, OutputRate: 44100, Bitrate: 96000}, Config{InputRate: 8000, OutputRate: 44100, Channels: 1, Bitrate: 96000, Cutoff: 4000, Quality: 1.3, Coder: CoderFast}, nil},
		{"explicit cutoff kept", Config{InputRate: 8000, OutputRate: 48000, Cutoff: 6000}, Config{InputRate: 8000, OutputRate: 48000, Channels: 1, Bitrate: 48000, Cutoff: 6000, Quality: 1.3, Coder: CoderFast}, nil},
		{"libavcodec's cutoff", Config{InputRate: 8000, OutputRate: 48000, Cutoff: -1}, Config{InputRate: 8000, OutputRate: 48000, Channels: 1, Bitrate: 48000, Cutoff: -1, Quality: 1.3, Coder: CoderFast}, nil},
		{"constant bitrate kept", Config{InputRate: 8000, Quality: -1}, Config{InputRate: 8000, OutputRate: 8000, Channels: 1, Bitrate: 32000, Quality: -1, Coder: CoderFast}, nil},
		{"explicit quality kept", Config{InputRate: 8000, Quality: 2}, Config{InputRate: 8000, OutputRate: 8000, Channels: 1, Bitrate: 32000, Quality: 2, Coder: CoderFast}, nil},
		{"negative quality", Config{InputRate: 8000, Quality: -0.5}, Config{}, ErrInvalidConfig},
		{"absurd quality", Config{InputRate: 8000, Quality: 11}, Config{}, ErrInvalidConfig},
		{"cutoff above Nyquist", Config{InputRate: 8000, Cutoff: 4001}, Config{}, ErrInvalidConfig},
		{"negative cutoff", Config{InputRate: 8000, Cutoff: -2}, Config{}, ErrInvalidConfig},
		{"max bitrate at 8k", Config{InputRate: 8000, Bitrate: 48000}, Config{InputRate: 8000, OutputRate: 8000, Channels: 1, Bitrate: 48000, Quality: 1.3, Coder: CoderFast}, nil},
		{"twoloop kept", Config{InputRate: 8000, Coder: CoderTwoLoop}, Config{InputRate: 8000, OutputRate: 8000, Channels: 1, Bitrate: 32000, Quality: 1.3, Coder: CoderTwoLoop}, nil},
		{"unknown coder", Config{InputRate: 8000, Coder: "anmr"}, Config{}, ErrInvalidConfig},
		{"no input rate", Config{}, Config{}, ErrInvalidConfig},
		{"negative input rate", Config{InputRate: -8000}, Config{}, ErrInvalidConfig},
		{"absurd input rate", Config{InputRate: 1 << 20, OutputRate: 48000}, Config{}, ErrInvalidConfig},
		{"non-AAC output rate", Config{InputRate: 8000, OutputRate: 40000}, Config{}, ErrInvalidConfig},
		{"non-AAC input rate kept", Config{InputRate: 12345}, Config{}, ErrInvalidConfig},
		{"stereo", Config{InputRate: 8000, Channels: 2}, Config{}, ErrInvalidConfig},
		{"negative bitrate", Config{InputRate: 8000, Bitrate: -1}, Config{}, ErrInvalidConfig},
		{"bitrate above AAC cap", Config{InputRate: 8000, Bitrate: 48001}, Config{}, ErrInvalidConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.withDefaults()
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
