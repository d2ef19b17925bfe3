package viewer

import (
	"fmt"
	"testing"
	"time"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/dtmftone"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/transcode"
)

// speexCall encodes digits as DTMF tones in Speex at rate, one 20 ms frame a packet, as a
// device sends them.
func speexCall(t testing.TB, digits string, rate int) []*frame.RawAudio {
	enc, err := transcode.NewAudioEncoder(transcode.Speex, rate)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	g, err := dtmftone.New(digits, dtmftone.Config{Rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	var out []*frame.RawAudio
	pcm := make([]int16, enc.FrameSamples())
	for i := 0; !g.Done(); i++ {
		g.Read(pcm)
		pkt, err := enc.Encode(pcm)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &frame.RawAudio{PTS: time.Duration(i) * speexFrame, Data: append([]byte(nil), pkt...)})
	}
	return out
}

// A Speex call reaches viewers as Opus (opus/48000/2, as browsers take it): one packet per
// 20 ms on the 48 kHz clock, whose sound is the device's — DTMF tones sent in Speex are
// still the digits after Opus, in wideband and in narrowband.
func TestSpeexReachesViewersAsOpus(t *testing.T) {
	for _, rate := range []int{16000, 8000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			h := newTestHub()
			h.handleSource(nil, &rtp.Source{Codec: "SPEEX", ClockRate: uint32(rate)})
			d := h.describe()
			if d.Audio == nil || d.Audio.Codec != "OPUS" || d.Audio.ClockRate != 48000 || d.Audio.Channels != 2 {
				t.Fatalf("described audio %+v, want opus/48000/2", d.Audio)
			}
			sink := NewSink("a", 1024)
			watch(h, sink, true)
			const digits = "159#"
			call := speexCall(t, digits, rate)
			for _, a := range call {
				h.handleAudio(nil, a)
			}
			dec, err := transcode.NewAudioDecoder(transcode.AudioConfig{Codec: transcode.Opus, ClockRate: 48000})
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			out := drain(sink)
			if len(out) != len(call) {
				t.Fatalf("%d Opus packets for %d Speex frames", len(out), len(call))
			}
			var heard []int16
			for i, p := range out {
				if i > 0 && p.Timestamp-out[i-1].Timestamp != 960 {
					t.Fatalf("packet %d: ts step %d, want 960 (20 ms at 48 kHz)", i, p.Timestamp-out[i-1].Timestamp)
				}
				pcm, err := dec.Decode(p.Payload)
				if err != nil {
					t.Fatalf("packet %d is not Opus: %v", i, err)
				}
				heard = append(heard, pcm...)
			}
			if got := dtmftone.Detect(heard, 48000); got != digits {
				t.Fatalf("heard %q, want %q", got, digits)
			}
		})
	}
}

// The transcoder runs only while a viewer takes the audio, and follows the line's codec.
func TestSpeexTranscodedOnlyWhileWatched(t *testing.T) {
	h := newTestHub()
	open := func() bool { return h.audio.opus != nil }
	h.handleSource(nil, &rtp.Source{Codec: "SPEEX", ClockRate: 16000})
	steps := []struct {
		name string
		do   func()
		want bool
	}{
		{"no viewer", func() {}, false},
		{"a video-only viewer", func() { h.join(NewSink("v", 8), false) }, false},
		{"a viewer with audio", func() { h.join(NewSink("a", 8), true) }, true},
		{"a second one", func() { h.join(NewSink("b", 8), true) }, true},
		{"the first leaves", func() { h.leave("a") }, true},
		{"the line turns G.711", func() { h.handleSource(nil, &rtp.Source{Codec: "PCMU", ClockRate: 8000}) }, false},
		{"and Speex again", func() { h.handleSource(nil, &rtp.Source{Codec: "SPEEX", ClockRate: 8000}) }, true},
		{"the last audio viewer leaves", func() { h.leave("b") }, false},
		{"a viewer leaves twice", func() { h.leave("b") }, false},
	}
	for _, s := range steps {
		s.do()
		if open() != s.want {
			t.Fatalf("%s: transcoder open %v, want %v", s.name, open(), s.want)
		}
	}
	if h.audioViewers != 0 {
		t.Fatalf("%d audio viewers left", h.audioViewers)
	}
	h.join(NewSink("c", 8), true)
	h.handleStopping()
	if open() {
		t.Fatal("a stopped hub keeps its transcoder")
	}
}

// BenchmarkSpeexOpus is the hub's cost per 20 ms of a Speex call's audio while it has viewers:
// one Speex decode and one Opus encode, for all of them.
func BenchmarkSpeexOpus(b *testing.B) {
	h := newTestHub()
	h.handleSource(nil, &rtp.Source{Codec: "SPEEX", ClockRate: 16000})
	sink := NewSink("a", 1)
	watch(h, sink, true)
	call := speexCall(b, "1234567890", 16000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := call[i%len(call)]
		h.handleAudio(nil, &frame.RawAudio{PTS: time.Duration(i) * speexFrame, Data: a.Data})
		drain(sink)
		i++
	}
}
