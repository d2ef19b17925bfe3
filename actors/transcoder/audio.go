package transcoder

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/transcode"
)

// handleAudio decodes one packet's frames and publishes the AAC frames that completed. Packets
// lost just before it are concealed first.
func (a *Actor) handleAudio(ctx actor.Context, m *frame.EncodedAudio) {
	if a.decoder == nil {
		return
	}
	if m.Lost > 0 && a.hasEnd {
		a.conceal(ctx, m)
	}
	pts := m.PTS
	for _, f := range m.Frames {
		pcm, err := a.decoder.Decode(f)
		if errors.Is(err, transcode.ErrDecode) || len(pcm) == 0 {
			// Skipped: the next packet's timestamp leaves a gap the pacer fills.
			continue
		}
		if err != nil {
			panic(err)
		}
		for _, out := range a.pacer.Push(pts, pcm) {
			a.publish(ctx, out)
		}
		pts += a.duration(len(pcm))
	}
	a.end, a.hasEnd = pts, true
}

// conceal fills the hole between the last packet decoded and m — packets the jitter buffer gave
// up — with what the decoder makes up: the Opus in-band FEC of m for the last lost packet when
// the hole ends at m, extrapolation (PLC) for the rest. It goes where the hole begins, so the
// sound continues from the last packet; past transcode.MaxConceal the pacer fills with silence.
func (a *Actor) conceal(ctx actor.Context, m *frame.EncodedAudio) {
	hole := m.PTS - a.end
	if hole <= 0 || hole > frame.MaxGapFill {
		return // a timestamp jump, not a loss: the pacer re-anchors
	}
	rate := a.decoder.SampleRate()
	samples := int(hole * time.Duration(rate) / time.Second)
	var next []byte
	if samples <= transcode.MaxConceal && len(m.Frames) > 0 {
		next = m.Frames[0] // FEC is the packet before next: only when it closes the hole
	}
	pcm, err := a.decoder.Conceal(samples, next)
	if err != nil || len(pcm) == 0 {
		return
	}
	a.concealed += len(pcm)
	// The lost packets made up, in proportion when the hole is longer than Conceal covers.
	metrics.AudioConcealed.Add(uint64(max(1, (m.Lost*len(pcm)+samples/2)/samples)))
	for _, out := range a.pacer.Push(a.end, pcm) {
		a.publish(ctx, out)
	}
	a.end += a.duration(len(pcm))
}

// duration is the length of n samples at the decoder's rate.
func (a *Actor) duration(n int) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(a.decoder.SampleRate())
}
