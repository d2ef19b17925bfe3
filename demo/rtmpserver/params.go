package rtmpserver

import (
	"bytes"

	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// A publisher may send new parameter sets mid-stream (a phone rotating changes
// the resolution; gortmplib's Writer sends a new sequence header then). The
// Reader hands them to us as an access unit; we keep the latest so players that
// join later get a header matching the pictures they will decode.

// h264Update returns the codec carrying the parameter sets found in au (cur when
// there are none or they are unchanged), whether they changed, and whether au
// holds a picture (a VCL NAL unit) and so must be forwarded as a frame.
func h264Update(cur *codecs.H264, au [][]byte) (next *codecs.H264, changed, picture bool) {
	sps, pps := cur.SPS, cur.PPS
	for _, nalu := range au {
		if len(nalu) == 0 {
			continue
		}
		switch typ := h264.NALUType(nalu[0] & 0x1f); {
		case typ == h264.NALUTypeSPS:
			sps = nalu
		case typ == h264.NALUTypePPS:
			pps = nalu
		case typ >= h264.NALUTypeNonIDR && typ <= h264.NALUTypeIDR:
			picture = true
		}
	}
	if bytes.Equal(sps, cur.SPS) && bytes.Equal(pps, cur.PPS) {
		return cur, false, picture
	}
	return &codecs.H264{SPS: sps, PPS: pps}, true, picture
}

// h265Update is h264Update for H.265 (VPS, SPS and PPS).
func h265Update(cur *codecs.H265, au [][]byte) (next *codecs.H265, changed, picture bool) {
	vps, sps, pps := cur.VPS, cur.SPS, cur.PPS
	for _, nalu := range au {
		if len(nalu) == 0 {
			continue
		}
		switch typ := h265.NALUType((nalu[0] >> 1) & 0x3f); {
		case typ == h265.NALUType_VPS_NUT:
			vps = nalu
		case typ == h265.NALUType_SPS_NUT:
			sps = nalu
		case typ == h265.NALUType_PPS_NUT:
			pps = nalu
		case typ < h265.NALUType_VPS_NUT: // 0..31 are VCL
			picture = true
		}
	}
	if bytes.Equal(vps, cur.VPS) && bytes.Equal(sps, cur.SPS) && bytes.Equal(pps, cur.PPS) {
		return cur, false, picture
	}
	return &codecs.H265{VPS: vps, SPS: sps, PPS: pps}, true, picture
}
