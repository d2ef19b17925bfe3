package rtmp

import (
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// queueLen bounds the frames waiting for the socket: about 3 s of 25 fps video plus AAC. A server
// that falls further behind loses frames (and the publisher restarts on a keyframe) rather than
// growing memory without bound.
const queueLen = 256

// item is one unit of work for the writer goroutine: either (re)initialise the FLV tracks with
// new parameter sets, or write one frame.
type item struct {
	init  *trackInit
	video [][]byte
	audio []byte
	pts   time.Duration
}

type trackInit struct {
	sps, pps []byte // nil: no video track
	aac      *mpeg4audio.AudioSpecificConfig
}

// writerLoop owns the client after connect: gortmplib has no locks, so exactly one goroutine may
// write. It stops when items is closed or a write fails, and always closes the client.
func (a *Actor) writerLoop(client *gortmplib.Client, items <-chan item, done chan<- struct{}) {
	defer close(done)
	defer client.Close()
	defer a.recoverGoroutine("writer")
	var w *gortmplib.Writer
	var videoTrack, audioTrack *gortmplib.Track
	for it := range items {
		_ = client.NetConn().SetWriteDeadline(time.Now().Add(a.cfg.WriteTimeout))
		var err error
		switch {
		case it.init != nil:
			videoTrack, audioTrack = nil, nil
			var tracks []*gortmplib.Track
			if it.init.sps != nil {
				videoTrack = &gortmplib.Track{Codec: &codecs.H264{SPS: it.init.sps, PPS: it.init.pps}}
				tracks = append(tracks, videoTrack)
			}
			if it.init.aac != nil {
				audioTrack = &gortmplib.Track{Codec: &codecs.MPEG4Audio{Config: it.init.aac}}
				tracks = append(tracks, audioTrack)
			}
			w = &gortmplib.Writer{Conn: client, Tracks: tracks}
			err = w.Initialize()
		case it.video != nil && videoTrack != nil:
			err = w.WriteH264(videoTrack, it.pts, it.pts, it.video)
		case it.audio != nil && audioTrack != nil:
			err = w.WriteMPEG4Audio(audioTrack, it.pts, it.audio)
		}
		if err != nil {
			a.system.Root.Send(a.self, &writeFailed{err: err})
			// Drain so the actor never blocks on a full queue while it learns of the failure.
			for range items {
			}
			return
		}
	}
}
