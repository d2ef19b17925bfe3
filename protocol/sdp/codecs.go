package sdp

import (
	"fmt"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

// Payload types of the codecs offered besides the spec's. Dynamic numbers,
// picked where common devices put them, so an answer that renumbers is rare.
const (
	PTSpeexNB = 98  // speex/8000
	PTOpus    = 111 // opus/48000/2, as browsers and baresip number it
	PTVP8     = 96  // VP8/90000
)

// OfferCodec is one format the gateway can offer: its rtpmap and fmtp.
type OfferCodec struct {
	PT        uint8
	Name      string // encoding name as written in a=rtpmap
	ClockRate uint32
	Channels  int    // written when > 1 (opus/48000/2)
	Fmtp      string // a=fmtp parameters; empty writes none
}

// The codecs the gateway receives. H.264 and G.711 are the spec's offer; the
// others are transcoded (VP8 → H.264, Opus and Speex → AAC) or passed through
// (Speex wideband, when the RTMP side asks for Speex).
var (
	CodecPCMA       = OfferCodec{PT: PTPCMA, Name: NamePCMA, ClockRate: 8000}
	CodecPCMU       = OfferCodec{PT: PTPCMU, Name: NamePCMU, ClockRate: 8000}
	CodecSpeexWB    = OfferCodec{PT: PTSpeex, Name: "speex", ClockRate: 16000}
	CodecSpeexNB    = OfferCodec{PT: PTSpeexNB, Name: "speex", ClockRate: 8000}
	CodecOpus       = OfferCodec{PT: PTOpus, Name: "opus", ClockRate: 48000, Channels: 2}
	CodecH264Mode1  = OfferCodec{PT: PTH264Mode1, Name: NameH264, ClockRate: 90000, Fmtp: "packetization-mode=1; profile-level-id=420020"}
	CodecH264Mode0  = OfferCodec{PT: PTH264Mode0, Name: NameH264, ClockRate: 90000, Fmtp: "packetization-mode=0; profile-level-id=420020"}
	CodecVP8        = OfferCodec{PT: PTVP8, Name: NameVP8, ClockRate: 90000}
	DefaultAudioSet = []OfferCodec{CodecPCMA, CodecPCMU, CodecSpeexWB, CodecSpeexNB, CodecOpus}
	DefaultVideoSet = []OfferCodec{CodecH264Mode1, CodecH264Mode0, CodecVP8}
)

// codecNames are the names SIPCAST_AUDIO_CODECS and SIPCAST_VIDEO_CODECS
// take. A name may stand for several formats (H.264's two packetization
// modes, Speex's two rates).
var codecNames = map[string][]OfferCodec{
	"pcma":        {CodecPCMA},
	"pcmu":        {CodecPCMU},
	"g711":        {CodecPCMA, CodecPCMU},
	"speex":       {CodecSpeexWB, CodecSpeexNB},
	"speex/16000": {CodecSpeexWB},
	"speex/8000":  {CodecSpeexNB},
	"opus":        {CodecOpus},
	"h264":        {CodecH264Mode1, CodecH264Mode0},
	"h264/mode1":  {CodecH264Mode1},
	"h264/mode0":  {CodecH264Mode0},
	"vp8":         {CodecVP8},
}

// ParseCodecList reads a comma-separated list of codec names ("pcma, pcmu,
// opus") for one media kind ("audio" or "video") into the offer's formats, in
// that order, each once.
func ParseCodecList(kind, list string) ([]OfferCodec, error) {
	var out []OfferCodec
	for name := range strings.SplitSeq(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		codecs, ok := codecNames[name]
		if !ok || (kind == "video") != (codecs[0].ClockRate == 90000) {
			return nil, fmt.Errorf("%w: unknown %s codec %q", ErrInvalidOffer, kind, name)
		}
		for _, c := range codecs {
			if !containsPT(out, c.PT) {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no %s codec", ErrInvalidOffer, kind)
	}
	return out, nil
}

// MoveFirst returns codecs with those named name (and rate, when not 0)
// first, the others in their order: the passthrough codec of the RTMP side
// goes first so that a device that has it picks it.
func MoveFirst(codecs []OfferCodec, name string, rate uint32) []OfferCodec {
	out := make([]OfferCodec, 0, len(codecs))
	match := func(c OfferCodec) bool {
		return strings.EqualFold(c.Name, name) && (rate == 0 || c.ClockRate == rate)
	}
	for _, c := range codecs {
		if match(c) {
			out = append(out, c)
		}
	}
	for _, c := range codecs {
		if !match(c) {
			out = append(out, c)
		}
	}
	return out
}

func containsPT(cs []OfferCodec, pt uint8) bool {
	for _, c := range cs {
		if c.PT == pt {
			return true
		}
	}
	return false
}

// rtpmap is the a=rtpmap value.
func (c OfferCodec) rtpmap() string {
	s := strconv.Itoa(int(c.PT)) + " " + c.Name + "/" + strconv.Itoa(int(c.ClockRate))
	if c.Channels > 1 {
		s += "/" + strconv.Itoa(c.Channels)
	}
	return s
}

// codecLines renders an m= line's formats and their a=rtpmap and a=fmtp
// lines, followed by tail.
func codecLines(codecs []OfferCodec, tail ...psdp.Attribute) ([]string, []psdp.Attribute) {
	formats := make([]string, 0, len(codecs))
	attrs := make([]psdp.Attribute, 0, 2*len(codecs)+len(tail))
	for _, c := range codecs {
		pt := strconv.Itoa(int(c.PT))
		formats = append(formats, pt)
		attrs = append(attrs, psdp.NewAttribute("rtpmap", c.rtpmap()))
		if c.Fmtp != "" {
			attrs = append(attrs, psdp.NewAttribute("fmtp", pt+" "+c.Fmtp))
		}
	}
	return formats, append(attrs, tail...)
}
