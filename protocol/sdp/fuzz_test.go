package sdp

import (
	"bytes"
	"errors"
	"testing"
)

var sentinels = []error{ErrMalformed, ErrNoMedia, ErrTooLarge, ErrTooManyCodecs}

// FuzzParseAnswer checks: no panic, input untouched, every error a
// sentinel, and a successful answer within limits (ports, codec count,
// known direction), whose codec helpers do not panic either.
func FuzzParseAnswer(f *testing.F) {
	for _, c := range answerCases {
		if len(c.sdp) < 4096 {
			f.Add([]byte(c.sdp))
		}
	}
	if b, err := specLikeOffer().Marshal(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := bytes.Clone(b)
		a, err := ParseAnswer(b)
		if !bytes.Equal(b, orig) {
			t.Fatal("input mutated")
		}
		if err != nil {
			if a != nil {
				t.Fatal("answer returned with an error")
			}
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v is no sentinel", err)
		}
		if a.Audio == nil && a.Video == nil {
			t.Fatal("answer without media and without error")
		}
		for _, m := range []*Media{a.Audio, a.Video} {
			if m != nil {
				checkMedia(t, m)
			}
		}
	})
}

func checkMedia(t *testing.T, m *Media) {
	t.Helper()
	if m.IP == "" || m.RTCPIP == "" {
		t.Fatalf("no address: %+v", m)
	}
	if m.Port < 1 || m.Port > 65535 || m.RTCPPort < 1 || m.RTCPPort > 65535 {
		t.Fatalf("ports out of range: %+v", m)
	}
	if len(m.Codecs) == 0 || len(m.Codecs) > MaxCodecs {
		t.Fatalf("%d codecs", len(m.Codecs))
	}
	switch m.Direction {
	case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
	default:
		t.Fatalf("direction %q", m.Direction)
	}
	seen := map[uint8]bool{}
	for _, c := range m.Codecs {
		if c.PayloadType > 127 || seen[c.PayloadType] {
			t.Fatalf("payload type %d out of range or repeated", c.PayloadType)
		}
		seen[c.PayloadType] = true
		c.PacketizationMode()
		if _, _, err := c.SpropParameterSets(); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("sprop error %v is no sentinel", err)
		}
	}
}
