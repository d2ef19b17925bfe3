package sdp

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Codec is one format of an m= line, with its a=rtpmap and a=fmtp.
type Codec struct {
	PayloadType uint8
	Name        string // encoding name, upper-case ("PCMU", "H264"); empty if unknown
	ClockRate   uint32
	Channels    int    // audio channels (1 when a=rtpmap omits them); 0 for video
	Fmtp        string // a=fmtp parameters, verbatim
}

// staticCodecs are the static payload types of RFC 3551 §6, which peers
// may list in m= without any a=rtpmap.
var staticCodecs = map[uint8]Codec{
	0:  {Name: NamePCMU, ClockRate: 8000, Channels: 1},
	3:  {Name: "GSM", ClockRate: 8000, Channels: 1},
	4:  {Name: "G723", ClockRate: 8000, Channels: 1},
	5:  {Name: "DVI4", ClockRate: 8000, Channels: 1},
	6:  {Name: "DVI4", ClockRate: 16000, Channels: 1},
	7:  {Name: "LPC", ClockRate: 8000, Channels: 1},
	8:  {Name: NamePCMA, ClockRate: 8000, Channels: 1},
	9:  {Name: NameG722, ClockRate: 8000, Channels: 1},
	10: {Name: "L16", ClockRate: 44100, Channels: 2},
	11: {Name: "L16", ClockRate: 44100, Channels: 1},
	12: {Name: "QCELP", ClockRate: 8000, Channels: 1},
	13: {Name: "CN", ClockRate: 8000, Channels: 1},
	14: {Name: "MPA", ClockRate: 90000},
	15: {Name: "G728", ClockRate: 8000, Channels: 1},
	16: {Name: "DVI4", ClockRate: 11025, Channels: 1},
	17: {Name: "DVI4", ClockRate: 22050, Channels: 1},
	18: {Name: "G729", ClockRate: 8000, Channels: 1},
	25: {Name: "CELB", ClockRate: 90000},
	26: {Name: "JPEG", ClockRate: 90000},
	28: {Name: "NV", ClockRate: 90000},
	31: {Name: "H261", ClockRate: 90000},
	32: {Name: "MPV", ClockRate: 90000},
	33: {Name: "MP2T", ClockRate: 90000},
	34: {Name: "H263", ClockRate: 90000},
}

// FmtpParam returns the value of one a=fmtp parameter. Keys compare
// case-insensitively and spaces around ';' and '=' are ignored. A parameter
// without '=' is found with an empty value.
func (c Codec) FmtpParam(key string) (string, bool) {
	if key == "" {
		return "", false
	}
	for p := range strings.SplitSeq(c.Fmtp, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// PacketizationMode returns the H.264 packetization-mode (RFC 6184 §8.1):
// 0 when absent, as the RFC defaults it, and -1 when it is not 0, 1 or 2,
// so that callers accepting {0, 1} reject it.
func (c Codec) PacketizationMode() int {
	v, ok := c.FmtpParam("packetization-mode")
	if !ok {
		return 0
	}
	switch n, err := strconv.Atoi(v); {
	case err != nil, n < 0, n > 2:
		return -1
	default:
		return n
	}
}

// H.264 NAL unit types of the parameter sets (H.264 Table 7-1).
const (
	nalTypeSPS = 7
	nalTypePPS = 8
)

// SpropParameterSets decodes the H.264 sprop-parameter-sets (RFC 6184
// §8.1): a comma-separated list of base64 NAL units. It returns the first
// SPS and the first PPS found, classified by their NAL unit type rather than
// their position; nil for a missing one, and nil, nil, nil when the
// parameter is absent.
func (c Codec) SpropParameterSets() (sps, pps []byte, err error) {
	v, ok := c.FmtpParam("sprop-parameter-sets")
	if !ok || v == "" {
		return nil, nil, nil
	}
	for item := range strings.SplitSeq(v, ",") {
		nal, err := decodeBase64(strings.TrimSpace(item))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: sprop-parameter-sets: %w", ErrMalformed, err)
		}
		if len(nal) == 0 {
			return nil, nil, fmt.Errorf("%w: sprop-parameter-sets: empty NAL unit", ErrMalformed)
		}
		switch nal[0] & 0x1f {
		case nalTypeSPS:
			if sps == nil {
				sps = nal
			}
		case nalTypePPS:
			if pps == nil {
				pps = nal
			}
		}
	}
	return sps, pps, nil
}

// decodeBase64 accepts padded and unpadded base64: both are seen in the
// wild, although RFC 6184 asks for the padded form.
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
