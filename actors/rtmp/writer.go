package rtmp

import (
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/gortmplib/pkg/message"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
)

// queueLen bounds the frames waiting for the socket: about 3 s of 25 fps video plus audio. A
// server that falls further behind loses whole GOPs rather than growing memory without bound.
const queueLen = 256

// flvSpeex is FLV's SoundFormat for Speex; gortmplib has no codec type for it, so its tags are
// written as raw audio messages.
const flvSpeex = 11

// item is one unit of work for the writer goroutine: either (re)initialise the FLV tracks, or
// write one frame.
type item struct {
	init  *trackInit
	video [][]byte
	audio []byte
	pts   time.Duration
	seq   uint64 // the actor's count of items enqueued on this connection, 1 for the first
}

// size is the media bytes an item carries.
func (it item) size() int {
	n := len(it.audio)
	for _, nalu := range it.video {
		n += len(nalu)
	}
	return n
}

type trackInit struct {
	sps, pps []byte // nil: no video track
	audio    frame.AudioCodec
	aac      *mpeg4audio.AudioSpecificConfig
}

// writerLoop owns the client after connect: gortmplib has no locks, so exactly one goroutine
// writes. It stops when items is closed or a write fails, and always closes the client (which
// unpublishes the stream).
func (a *Actor) writerLoop(client *gortmplib.Client, gen int, items <-chan item, done chan<- struct{}) {
	defer close(done)
	// Deferred before Close, so it also catches a panic in Close itself.
	defer a.reportPanic("writer", func(err error) any { return &writeFailed{gen: gen, err: err} })
	defer client.Close()
	var w *gortmplib.Writer
	var video, audio *gortmplib.Track
	var audioCodec frame.AudioCodec
	for it := range items {
		var err error
		switch {
		case it.init != nil:
			w, video, audio = newWriter(client, it.init)
			audioCodec = it.init.audio
			err = w.Initialize()
		case it.video != nil && video != nil:
			err = w.WriteH264(video, it.pts, it.pts, it.video)
		case it.audio != nil && audioCodec == frame.Speex:
			err = client.Write(&message.Audio{ChunkStreamID: message.AudioChunkStreamID, MessageStreamID: 0x1000000,
				Codec: flvSpeex, Rate: message.AudioRate5512, Depth: message.AudioDepth16, AU: it.audio, DTS: it.pts})
		case it.audio != nil && audio != nil && audioCodec == frame.AAC:
			err = w.WriteMPEG4Audio(audio, it.pts, it.audio)
		case it.audio != nil && audio != nil:
			err = w.WriteG711(audio, it.pts, it.audio)
		}
		if err == nil {
			a.wrote(it)
		}
		if err != nil {
			a.system.Root.Send(a.self, &writeFailed{gen: gen, err: err})
			// Drain so the actor never blocks on a full queue while it learns of the failure.
			for range items {
			}
			return
		}
	}
}

// wrote records an item the writer got out, for the actor's lag check (enqueue).
func (a *Actor) wrote(it item) {
	if it.init == nil {
		a.writtenPTS.Store(int64(it.pts))
		metrics.RTMPBytes.Add(uint64(it.size()))
	}
	a.writtenSeq.Store(it.seq)
}

// newWriter builds a Writer with the tracks of init. Speex has no gortmplib codec: its tags go
// out as raw messages, and players find the track from the first tag.
func newWriter(client *gortmplib.Client, init *trackInit) (*gortmplib.Writer, *gortmplib.Track, *gortmplib.Track) {
	var video, audio *gortmplib.Track
	var tracks []*gortmplib.Track
	if init.sps != nil {
		video = &gortmplib.Track{Codec: &codecs.H264{SPS: init.sps, PPS: init.pps}}
		tracks = append(tracks, video)
	}
	switch init.audio {
	case frame.AAC:
		audio = &gortmplib.Track{Codec: &codecs.MPEG4Audio{Config: init.aac}}
	case frame.PCMU, frame.PCMA:
		audio = &gortmplib.Track{Codec: &codecs.G711{MULaw: init.audio == frame.PCMU, ChannelCount: 1}}
	}
	if audio != nil {
		tracks = append(tracks, audio)
	}
	return &gortmplib.Writer{Conn: client, Tracks: tracks}, video, audio
}
