package viewer

import (
	"fmt"
	"time"

	"github.com/sipcast/sipcast/media/transcode"
	"github.com/sipcast/sipcast/protocol/rtpspeex"
)

// opusClock is Opus's RTP clock, whatever the rate of the audio it carries (RFC 7587).
const opusClock = 48000

// speexFrame is the length of one Speex frame, at both of its rates.
const speexFrame = rtpspeex.FrameDuration * time.Millisecond

// speexOpus re-encodes a Speex call's audio as Opus for browsers, which have no Speex: each
// 20 ms Speex frame is decoded (libspeex) and encoded again (libopus, fed at the Speex rate, so
// nothing is resampled here). A hub has one for its call, open only while a viewer takes the
// audio: the cost is one decode and one encode per frame for all viewers together.
type speexOpus struct {
	dec    *transcode.AudioDecoder
	enc    *transcode.AudioEncoder
	frames [][]byte // Split's list, reused
	out    [][]byte // encode's result, reused
}

// newSpeexOpus opens the codecs for Speex at rate (8000 or 16000 Hz).
func newSpeexOpus(rate int) (*speexOpus, error) {
	dec, err := transcode.NewAudioDecoder(transcode.AudioConfig{Codec: transcode.Speex, ClockRate: rate})
	if err != nil {
		return nil, err
	}
	enc, err := transcode.NewAudioEncoder(transcode.Opus, rate)
	if err != nil {
		dec.Close()
		return nil, err
	}
	if dec.SampleRate() != rate || enc.FrameSamples()*1000/rate != rtpspeex.FrameDuration {
		dec.Close()
		enc.Close()
		return nil, fmt.Errorf("%w: speex at %d Hz", transcode.ErrConfig, rate)
	}
	return &speexOpus{dec: dec, enc: enc}, nil
}

// encode returns one Opus packet for each Speex frame of payload, in order: frame i starts
// i×20 ms after the packet. A frame that does not decode has a nil entry, a 20 ms hole the
// browser conceals. The packets are new (every viewer shares them); the list is reused.
func (s *speexOpus) encode(payload []byte) [][]byte {
	s.out = s.out[:0]
	frames, err := rtpspeex.Split(payload, s.frames[:0])
	s.frames = frames[:0]
	if err != nil {
		return nil // the pipe checked the packet; one that still fails is a hole
	}
	for _, f := range frames {
		s.out = append(s.out, s.frame(f))
	}
	return s.out
}

func (s *speexOpus) frame(f []byte) []byte {
	pcm, err := s.dec.Decode(f)
	if err != nil || len(pcm) != s.enc.FrameSamples() {
		return nil
	}
	pkt, err := s.enc.Encode(pcm)
	if err != nil || len(pkt) == 0 {
		return nil
	}
	return append([]byte(nil), pkt...)
}

// close frees the C state.
func (s *speexOpus) close() {
	s.dec.Close()
	s.enc.Close()
}
