package rtp

import (
	"fmt"
	"log/slog"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// The packet path of an RTP actor is built at each Configure, as small stages that wrap one
// another (the shape of livekit/sip's media pipeline):
//
//	packetRead → order → lipSync → pipe → sink
//
// order is the jitter buffer, or a sequence check when it is off (jitter.go); lipSync places the
// pipe's timeline by the device's sender reports (sync.go); the pipe is the one stage that knows
// the codec (h264.go, vp8.go, g711.go, passthrough.go, coded.go); the sink is the actor, which
// sends the frames on and turns key-frame needs into RTCP (media.go).

// stage is one step of the path: it takes packets one at a time, in the order it is given
// them, and hands them (or others it held) to the next.
type stage interface {
	// push takes one packet; lost is how many packets just before it are missing for good.
	push(pkt *pionrtp.Packet, arrival time.Time, lost int)
}

// pipe is the codec's stage: it turns packets into frames for its sink. One is chosen at
// Configure (newPipe); nothing else in the actor switches on the codec.
type pipe interface {
	stage
	// timeline places the pipe's frames on the call's timeline; lip sync moves it.
	timeline() *clock.Timeline
	// close frees what the pipe holds outside the Go heap (the AAC encoder).
	close()
}

// orderStage is the path's head: it owns the timer a jitter buffer needs.
type orderStage interface {
	stage
	// expire gives up the gaps that waited long enough (the jitterTick).
	expire()
	stop()
}

// sink is where pipes put what they make.
type sink interface {
	// publish sends a frame RTMP carries to the call's publishers.
	publish(msg any)
	// transcode sends a frame of a codec RTMP cannot carry to the call's transcoder.
	transcode(msg any)
	// needKey: the picture is broken (or its last key frame too old) until a key frame comes.
	needKey()
	// gotKey: a key frame went out; sps is its H.264 SPS (nil for VP8).
	gotKey(sps []byte)
}

// path is one Configure's chain of stages.
type path struct {
	order orderStage
	sync  *syncStage
	pipe  pipe
}

func (p *path) close() {
	p.order.stop()
	p.pipe.close()
}

// pipeConfig is what a pipe needs besides the Configure.
type pipeConfig struct {
	aacRate     int           // G.711 → AAC output rate; 0: the G.711 rate
	keyInterval time.Duration // H.264: ask for a key frame when the last is older; 0: never
	log         *slog.Logger
}

// newPipe chooses the pipe of a line's negotiated codec.
func newPipe(kind Kind, c *Configure, pc pipeConfig, out sink) (pipe, error) {
	switch {
	case kind == Video && c.Codec == sdp.NameH264:
		return newH264Pipe(c, pc.keyInterval, out), nil
	case kind == Video && c.Codec == sdp.NameVP8:
		return newVP8Pipe(c, out), nil
	case kind == Audio && canPass(c.Codec, c.Output):
		return newPassPipe(c, out), nil
	case kind == Audio && (c.Codec == sdp.NamePCMU || c.Codec == sdp.NamePCMA):
		return newG711Pipe(c, pc.aacRate, out)
	case kind == Audio && (c.Codec == sdp.NameOpus || c.Codec == sdp.NameSpeex):
		return newCodedPipe(c, pc.log, out)
	}
	return nil, fmt.Errorf("%w: %s on %s", ErrUnsupportedCodec, c.Codec, kind)
}
