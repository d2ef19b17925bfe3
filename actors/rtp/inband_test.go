package rtp

import (
	"net"
	"slices"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/dtmftone"
	"github.com/sipcast/sipcast/media/g711"
	"github.com/sipcast/sipcast/media/transcode"
)

// In-band DTMF goes out in place of the comfort silence, in its codec, payload type, SSRC and
// clock: what the device decodes holds the digits (Goertzel), a second request's after the
// first's, and silence resumes afterwards.
func TestSendTones(t *testing.T) {
	for _, tc := range []struct {
		codec string
		pt    uint8
		rate  int
	}{{"PCMU", 0, 8000}, {"PCMA", 8, 8000}, {"OPUS", 111, 48000}, {"SPEEX/16000", 98, 16000}} {
		t.Run(tc.codec, func(t *testing.T) {
			t.Parallel()
			conf := &Configure{Codec: tc.codec, PayloadType: tc.pt, ClockRate: uint32(tc.rate), Zero: time.Now()}
			h := newLineHarness(t, Audio, conf, func(dev *net.UDPAddr) *Peer {
				return &Peer{RTP: dev, Silence: true, SilenceCodec: tc.codec, SilencePT: tc.pt, TelephoneEvent: -1}
			})
			first := h.system.Root.RequestFuture(h.pid, &SendTones{Digits: "19"}, 5*time.Second)
			second := h.system.Root.RequestFuture(h.pid, &SendTones{Digits: "#"}, 5*time.Second)
			decode := decoderFor(t, tc.codec, tc.rate)
			var pcm []int16
			var prev *pionrtp.Packet
			buf := make([]byte, 1500)
			silentAfter := 0
			for silentAfter < 10 {
				_ = h.dev.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, _, err := h.dev.ReadFromUDP(buf)
				if err != nil {
					t.Fatalf("after %d samples: %v", len(pcm), err)
				}
				var p pionrtp.Packet
				if err := p.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
					t.Fatal(err)
				}
				if p.PayloadType != tc.pt || (prev != nil && (p.SSRC != prev.SSRC || p.SequenceNumber != prev.SequenceNumber+1)) {
					t.Fatalf("packet %+v after %+v", p.Header, prev)
				}
				prev = &p
				samples := decode(p.Payload)
				pcm = append(pcm, samples...)
				if len(dtmftone.Detect(pcm, tc.rate)) == 3 && silent(samples) {
					silentAfter++
				}
			}
			if got := dtmftone.Detect(pcm, tc.rate); got != "19#" {
				t.Fatalf("the device heard %q, want 19#", got)
			}
			for _, f := range []any{first, second} {
				res, err := f.(interface{ Result() (any, error) }).Result()
				if err != nil || res.(*SendDTMFResponse).Error != "" {
					t.Fatalf("response %v %v", res, err)
				}
			}
		})
	}
}

// A line sipcast sends nothing on refuses tones at once.
func TestSendTonesRefused(t *testing.T) {
	conf := &Configure{Codec: "PCMU", PayloadType: 0, ClockRate: 8000, Zero: time.Now()}
	h := newLineHarness(t, Audio, conf, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, Receives: true, TelephoneEvent: -1} // recvonly on our side: no silence
	})
	res, err := h.system.Root.RequestFuture(h.pid, &SendTones{Digits: "1"}, 5*time.Second).Result()
	if err != nil || res.(*SendDTMFResponse).Error == "" {
		t.Fatalf("tones on a line sipcast does not send on: %v %v", res, err)
	}
}

func silent(pcm []int16) bool {
	for _, s := range pcm {
		if s > 64 || s < -64 {
			return false
		}
	}
	return true
}

func decoderFor(t *testing.T, codec string, rate int) func([]byte) []int16 {
	switch codec {
	case "PCMU":
		return func(b []byte) []int16 { return g711.DecodeUlaw(nil, b) }
	case "PCMA":
		return func(b []byte) []int16 { return g711.DecodeAlaw(nil, b) }
	}
	name := transcode.Opus
	if codec != "OPUS" {
		name = transcode.Speex
	}
	dec, err := transcode.NewAudioDecoder(transcode.AudioConfig{Codec: name, ClockRate: rate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dec.Close)
	return func(b []byte) []int16 {
		pcm, err := dec.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(pcm) // the decoder's buffer is overwritten by its next call
	}
}
