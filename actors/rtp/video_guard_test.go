package rtp

import (
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

var (
	goodSPS = []byte{0x67, 0x42, 0xc0, 0x0a, 0xdc, 0x2c, 0x4e, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00,
		0x00, 0x03, 0x00, 0x12, 0x3c, 0x48, 0x9e}
	goodPPS = []byte{0x68, 0xce, 0x02, 0x92, 0xc8}
	// badSPS has pic_order_cnt_type 14 (issue #12).
	badSPS = []byte{0x67, 0x42, 0xc0, 0x1f, 0xc7, 0xa0, 0x28, 0x0b, 0xe4}
	idrNAL = []byte{0x65, 0x88, 0x84, 0x00, 0x10}
)

// pushAU sends one access unit as single NAL unit packets, the marker on the last.
func pushAU(v *h264Pipe, seq *uint16, ts uint32, nals ...[]byte) (gotFrame, lost bool) {
	for i, n := range nals {
		*seq++
		f, l := v.decode(&pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 96, SSRC: 1, SequenceNumber: *seq,
			Timestamp: ts, Marker: i == len(nals)-1}, Payload: n}, time.Now())
		gotFrame, lost = gotFrame || f != nil, lost || l
		if f != nil && string(f.SPS) == string(badSPS) {
			panic("a frame carries the bad SPS")
		}
	}
	return gotFrame, lost
}

// An access unit with an SPS no muxer could take goes nowhere, is counted and reported lost
// (so a keyframe is asked for); the stream goes on with the next good keyframe. The SDP's
// sprop-parameter-sets are checked the same way.
func TestVideoPipeRejectsBadParams(t *testing.T) {
	before := metrics.MediaRejected.With(metrics.RejectedH264Params).Value()
	v := newH264Pipe(&Configure{ClockRate: 90000, Zero: time.Now(), SPS: badSPS, PPS: goodPPS}, 0, nil)
	if v.sps != nil {
		t.Fatal("a bad sprop-parameter-sets SPS was kept")
	}
	var seq uint16
	if got, lost := pushAU(v, &seq, 3000, badSPS, goodPPS, idrNAL); got || !lost {
		t.Fatalf("bad SPS + IDR: frame %v, lost %v", got, lost)
	}
	if got := metrics.MediaRejected.With(metrics.RejectedH264Params).Value() - before; got != 1 {
		t.Fatalf("%d rejections counted", got)
	}
	if got, _ := pushAU(v, &seq, 6000, goodSPS, goodPPS, idrNAL); !got {
		t.Fatal("the good keyframe after it was not passed on")
	}
	if _, err := rtph264.CheckSPS(v.sps); err != nil {
		t.Fatalf("pipe kept %v", err)
	}
}
