// Package stream holds the messages that carry a call's media between actors: from the RTP socket
// actors, which depacketise and transcode, to every RTMP publisher fed from the call. A call's media
// is one "stream" (the spec's toStream): video access units and audio frames on one millisecond
// timeline that starts near 0 when the call is answered.
package frame

import (
	"strings"
	"time"

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

// AudioCodec is what a call's AudioFrames carry.
type AudioCodec int

const (
	NoAudio AudioCodec = iota
	// AAC: AAC-LC access units (transcoded from G.711): the default.
	AAC
	// PCMU, PCMA: G.711 passed through from the device, 8 kHz mono.
	PCMU
	PCMA
	// Speex: Speex frames passed through from the device, 16 kHz mono (FLV only knows 16 kHz).
	Speex
)

// ParseAudioCodec reads the configuration's and the startup field's names for the RTMP audio
// codec: "aac", "pcmu"/"g711u", "pcma"/"g711a", "g711" (µ-law), "speex".
func ParseAudioCodec(name string) (AudioCodec, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "aac":
		return AAC, true
	case "pcmu", "g711u", "g711", "ulaw":
		return PCMU, true
	case "pcma", "g711a", "alaw":
		return PCMA, true
	case "speex":
		return Speex, true
	}
	return NoAudio, false
}

func (c AudioCodec) String() string {
	return [...]string{"none", "aac", "pcmu", "pcma", "speex"}[c]
}

// Tracks tells a publisher what the call's stream carries, as soon as the SDP answer says it. A
// publisher needs it before it can write sequence headers.
type Tracks struct {
	// Video is true when the device sends H.264.
	Video bool
	// SPS/PPS from the SDP answer, when it had them; else they come with the first keyframe.
	SPS, PPS []byte
	// Audio is the codec of the AudioFrames; NoAudio when the call has no audio.
	Audio AudioCodec
	// AAC is the AAC configuration when Audio is AAC.
	AAC *mpeg4audio.AudioSpecificConfig
}

// VideoFormat is sent by the video RTP actor to its parent when the picture size becomes known or
// changes (from the SPS).
type VideoFormat struct {
	Width, Height int
}

// KeyframeNeeded asks the video RTP actor to request a keyframe from the device (RTCP PLI/FIR):
// sent by a publisher that (re)starts and must begin on an IDR.
type KeyframeNeeded struct{}
