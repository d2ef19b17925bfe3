package blackframe

import (
	_ "embed"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// Width and Height of both pictures, in pixels.
const (
	Width  = 176
	Height = 144
)

//go:embed black.h264
var blackH264 []byte

//go:embed black.vp8
var blackVP8 []byte

// h264Frames is black.h264 cut into its two access units, each SPS, PPS, IDR.
var h264Frames = splitFrames(blackH264)

// H264 returns the NAL units of the nth black keyframe, without start codes: SPS, PPS and one
// IDR slice. Even and odd n give IDRs with idr_pic_id 0 and 1, so a sender that counts its
// frames gives consecutive IDR access units different ids, as H.264 7.4.3 requires. The slices
// are shared: do not modify them.
func H264(n int) [][]byte { return h264Frames[n&1] }

// VP8 returns the black VP8 keyframe (RFC 6386 §9.1: a key frame, version 0, shown). The slice
// is shared: do not modify it.
func VP8() []byte { return blackVP8 }

// splitFrames cuts an Annex B stream into access units at each SPS. The stream is embedded, so
// a malformed one is a build mistake: it panics.
func splitFrames(stream []byte) [][][]byte {
	var nalus h264.AnnexB
	if err := nalus.Unmarshal(stream); err != nil {
		panic(fmt.Sprintf("blackframe: black.h264: %v", err))
	}
	var frames [][][]byte
	for _, n := range nalus {
		if h264.NALUType(n[0]&0x1f) == h264.NALUTypeSPS {
			frames = append(frames, nil)
		}
		if len(frames) == 0 {
			panic("blackframe: black.h264 does not start with an SPS")
		}
		frames[len(frames)-1] = append(frames[len(frames)-1], n)
	}
	if len(frames) != 2 {
		panic(fmt.Sprintf("blackframe: black.h264 has %d access units, want 2", len(frames)))
	}
	return frames
}
