package rtph264

// NAL unit types (H.264 Table 7-1) and RTP payload structure types
// (RFC 6184 Table 3) that this package looks at.
const (
	NALTypeIDR = 5
	NALTypeSEI = 6
	NALTypeSPS = 7
	NALTypePPS = 8
	NALTypeAUD = 9

	typeSTAPA  = 24
	typeSTAPB  = 25
	typeMTAP16 = 26
	typeMTAP24 = 27
	typeFUA    = 28
	typeFUB    = 29
)

// NALType returns the nal_unit_type carried in the low five bits of a NAL
// unit header byte (or of an RTP payload header, where the same bits name
// the packet structure).
func NALType(b byte) uint8 {
	return b & 0x1f
}

// IsKeyFrame reports whether the access unit holds an IDR slice, i.e.
// whether a decoder can start from it (given SPS and PPS).
func IsKeyFrame(au [][]byte) bool {
	for _, nal := range au {
		if len(nal) > 0 && NALType(nal[0]) == NALTypeIDR {
			return true
		}
	}
	return false
}

// ExtractParams returns the last SPS and the last PPS of the access unit, or
// nil for either when the unit carries none. The slices alias au: clone them
// to keep them beyond the access unit's life.
func ExtractParams(au [][]byte) (sps, pps []byte) {
	for _, nal := range au {
		if len(nal) == 0 {
			continue
		}
		switch NALType(nal[0]) {
		case NALTypeSPS:
			sps = nal
		case NALTypePPS:
			pps = nal
		}
	}
	return sps, pps
}
