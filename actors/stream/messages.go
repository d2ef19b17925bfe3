// Package stream holds the messages that carry a call's media between actors: from the RTP socket
// actors, which depacketise and transcode, to every RTMP publisher fed from the call. A call's media
// is one "stream" (the spec's toStream): video access units and audio frames on one millisecond
// timeline that starts near 0 when the call is answered.
package stream

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// VideoFrame is one H.264 access unit. Receivers must not modify AU: the same frame goes to every
// publisher of the call.
type VideoFrame struct {
	PTS time.Duration
	// AU holds the NAL units without start codes.
	AU [][]byte
	// Key is true when AU holds an IDR picture.
	Key bool
	// SPS and PPS are the parameter sets in force for this frame (from the AU itself, an earlier
	// AU, or the SDP's sprop-parameter-sets); nil until known.
	SPS, PPS []byte
}

// AudioFrame is one encoded audio frame. Receivers must not modify Data.
type AudioFrame struct {
	PTS  time.Duration
	Data []byte
}

// Tracks tells a publisher what the call's stream carries, as soon as the SDP answer says it. A
// publisher needs it before it can write sequence headers.
type Tracks struct {
	// Video is true when the device sends H.264.
	Video bool
	// SPS/PPS from the SDP answer, when it had them; else they come with the first keyframe.
	SPS, PPS []byte
	// AAC is the audio track's configuration; nil when the call has no audio.
	AAC *mpeg4audio.AudioSpecificConfig
}

// Subscribe asks an RTP actor to send its frames to these subscribers (replacing the list).
type Subscribe struct {
	Subscribers []*actor.PID
}

// KeyframeNeeded asks the video RTP actor to request a keyframe from the device (RTCP PLI/FIR):
// sent by a publisher that (re)starts and must begin on an IDR.
type KeyframeNeeded struct{}
