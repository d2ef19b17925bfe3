package rtp

import (
	"time"

	"github.com/sipcast/sipcast/media/blackframe"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// blackInterval paces the black keyframes of a video line: far inside any softphone's RTP
// timeout (seconds), and a decoder that starts late or lost a packet shows the picture within
// half a second, for a few hundred bytes a second.
const blackInterval = 500 * time.Millisecond

// vp8Descriptor is the one-byte VP8 payload descriptor of a frame in one packet (RFC 7741
// §4.2): no extensions, a reference frame, S=1 (start of partition 0), partition index 0.
const vp8Descriptor = 0x10

// blackVideo is the black keyframe of a video codec, once every blackInterval on the 90 kHz
// clock; false for a codec sipcast has no picture in.
func blackVideo(codec string) (comfort, bool) {
	c := comfort{interval: blackInterval, step: uint32(blackInterval * 90000 / time.Second), video: true}
	switch codec {
	case sdp.NameH264:
		// SPS, PPS and IDR as single NAL unit packets (RFC 6184 §5.6), which packetization-mode
		// 0 and 1 both take; the two frames alternate idr_pic_id.
		c.frames = [][][]byte{blackframe.H264(0), blackframe.H264(1)}
	case sdp.NameVP8:
		c.frames = [][][]byte{{append([]byte{vp8Descriptor}, blackframe.VP8()...)}}
	default:
		return comfort{}, false
	}
	return c, true
}
