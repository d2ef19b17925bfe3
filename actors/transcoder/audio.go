package transcoder

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/stream"
	"github.com/sipcast/sipcast/media/transcode"
)

// handleAudio decodes one packet's frames and publishes the AAC frames that completed.
func (a *Actor) handleAudio(ctx actor.Context, m *stream.EncodedAudio) {
	if a.decoder == nil {
		return
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
		pts += time.Duration(len(pcm)) * time.Second / time.Duration(a.decoder.SampleRate())
	}
}
