package rtmp

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/media/frame"
)

// maxGOPFrames bounds the frames kept while not connected: about 3 s of 25 fps video with its
// audio. A longer GOP than that is not kept; the stream then starts on the next keyframe.
const maxGOPFrames = 250

// gopCache keeps the current group of pictures (from its keyframe, with the audio since) while
// the publisher is connecting or waiting to reconnect, so the stream starts the moment the server
// accepts it instead of one GOP later: the device's first keyframe went by while we connected,
// and not every device answers a keyframe request.
type gopCache struct {
	frames []any // *frame.VideoFrame and *frame.AudioFrame, in arrival order
	full   bool
}

func (g *gopCache) add(msg any) {
	switch f := msg.(type) {
	case *frame.VideoFrame:
		if f.Key && f.SPS != nil && f.PPS != nil {
			g.frames, g.full = append(g.frames[:0], f), false
			return
		}
	case *frame.AudioFrame:
	default:
		return
	}
	if len(g.frames) == 0 || g.full {
		return
	}
	if len(g.frames) >= maxGOPFrames {
		g.frames, g.full = g.frames[:0], true
		return
	}
	g.frames = append(g.frames, msg)
}

// replay hands the kept frames to the active publisher and empties the cache; it reports
// whether there was a keyframe to start on.
func (a *Actor) replayGOP(ctx actor.Context) bool {
	frames := a.gop.frames
	a.gop.frames = nil
	for _, msg := range frames {
		switch f := msg.(type) {
		case *frame.VideoFrame:
			a.handleVideo(ctx, f)
		case *frame.AudioFrame:
			a.handleAudio(f)
		}
	}
	return len(frames) > 0
}
