package sdp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

// DefaultOrigin is the o= username and s= name when Offer.Origin is empty.
const DefaultOrigin = "sipcast"

// Payload types of the offer. 8 and 0 are the static G.711 types of
// RFC 3551; 112 and 113 are the dynamic H.264 types of the spec's offer.
const (
	PTPCMA      = 8
	PTPCMU      = 0
	PTH264Mode1 = 112 // H.264 packetization-mode=1
	PTH264Mode0 = 113 // H.264 packetization-mode=0
	PTSpeex     = 97  // speex/16000 (RFC 5574), offered only for Speex passthrough
	// PTTelephoneEvent is the dynamic type of RFC 4733 DTMF events, the number most devices use.
	PTTelephoneEvent = 101
)

// Offer describes the gateway's side of a call.
type Offer struct {
	Origin         string // o= username and s= name; default DefaultOrigin
	SessionID      uint64 // o= sess-id
	SessionVersion uint64 // o= sess-version; bump it on re-offers
	LocalIP        string // address for c=, o= and a=rtcp; IPv4 or IPv6
	AudioPort      int    // RTP port; RTCP is AudioPort+1
	VideoPort      int    // RTP port; RTCP is VideoPort+1; 0 omits the video m= line
	AudioSendRecv  bool   // false offers a=recvonly
	VideoSendRecv  bool   // false offers a=recvonly
	AudioSSRC      uint32
	VideoSSRC      uint32
	CName          string // RTCP CNAME for a=ssrc; empty omits a=ssrc
	Speex          bool   // also offer speex/16000 (PTSpeex), first: for Speex passthrough to RTMP
	// TelephoneEvent offers RFC 4733 DTMF on the audio line (101 telephone-event/8000, events
	// 0-16), so /call/send_dtmf can send digits in the RTP.
	TelephoneEvent bool
	// AudioCodecs and VideoCodecs are the formats offered, in preference order (ParseCodecList,
	// MoveFirst). Empty keeps the spec's shape: PCMA, PCMU (and Speex first when Speex is
	// set); H.264 in packetization modes 1 and 0.
	AudioCodecs, VideoCodecs []OfferCodec
}

// Marshal renders the offer with CRLF line endings, in the spec's shape.
func (o *Offer) Marshal() ([]byte, error) {
	addr, err := o.validate()
	if err != nil {
		return nil, err
	}
	origin := o.origin()
	ip, addrType := addr.String(), "IP4"
	if addr.Is6() {
		addrType = "IP6"
	}
	conn := func() *psdp.ConnectionInformation {
		return &psdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType,
			Address: &psdp.Address{Address: ip},
		}
	}

	sd := psdp.SessionDescription{
		Origin: psdp.Origin{
			Username: origin, SessionID: o.SessionID, SessionVersion: o.SessionVersion,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: ip,
		},
		SessionName:           psdp.SessionName(origin),
		ConnectionInformation: conn(),
		TimeDescriptions:      []psdp.TimeDescription{{}},
	}

	audio := &psdp.MediaDescription{
		MediaName:             mediaName("audio", o.AudioPort, PTPCMA, PTPCMU),
		ConnectionInformation: conn(),
		Attributes: []psdp.Attribute{
			psdp.NewAttribute("rtpmap", "8 PCMA/8000"),
			psdp.NewAttribute("rtpmap", "0 PCMU/8000"),
			psdp.NewAttribute("ptime", "20"),
		},
	}
	if len(o.AudioCodecs) > 0 {
		audio.MediaName.Formats, audio.Attributes = codecLines(o.AudioCodecs, psdp.NewAttribute("ptime", "20"))
	} else if o.Speex {
		// Speex first, so a device that has it picks it: the RTMP side passes it through.
		audio.MediaName.Formats = append([]string{strconv.Itoa(PTSpeex)}, audio.MediaName.Formats...)
		audio.Attributes = append([]psdp.Attribute{psdp.NewAttribute("rtpmap", strconv.Itoa(PTSpeex)+" speex/16000")}, audio.Attributes...)
	}
	if o.TelephoneEvent {
		pt := strconv.Itoa(PTTelephoneEvent)
		audio.MediaName.Formats = append(audio.MediaName.Formats, pt)
		audio.Attributes = append(audio.Attributes, psdp.NewAttribute("rtpmap", pt+" telephone-event/8000"),
			psdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	audio.Attributes = o.appendTail(audio.Attributes, o.AudioPort, ip, addrType, o.AudioSendRecv, o.AudioSSRC)
	sd.MediaDescriptions = append(sd.MediaDescriptions, audio)

	if o.VideoPort != 0 {
		video := &psdp.MediaDescription{
			MediaName:             mediaName("video", o.VideoPort, PTH264Mode1, PTH264Mode0),
			ConnectionInformation: conn(),
			Attributes: []psdp.Attribute{
				psdp.NewAttribute("rtpmap", "112 H264/90000"),
				psdp.NewAttribute("fmtp", "112 packetization-mode=1; profile-level-id=420020"),
				psdp.NewAttribute("rtpmap", "113 H264/90000"),
				psdp.NewAttribute("fmtp", "113 packetization-mode=0; profile-level-id=420020"),
				psdp.NewAttribute("rtcp-fb", "* ccm fir"),
				psdp.NewAttribute("rtcp-fb", "* nack"),
				psdp.NewAttribute("rtcp-fb", "* nack pli"),
			},
		}
		if len(o.VideoCodecs) > 0 {
			// The spec's four rtpmap/fmtp lines give way to the list's; its rtcp-fb lines stay.
			video.MediaName.Formats, video.Attributes = codecLines(o.VideoCodecs, video.Attributes[4:]...)
		}
		video.Attributes = o.appendTail(video.Attributes, o.VideoPort, ip, addrType, o.VideoSendRecv, o.VideoSSRC)
		sd.MediaDescriptions = append(sd.MediaDescriptions, video)
	}
	return sd.Marshal()
}

// appendTail adds the lines every m= section ends with: a=rtcp, the
// direction and a=ssrc.
func (o *Offer) appendTail(attrs []psdp.Attribute, port int, ip, addrType string, sendRecv bool, ssrc uint32) []psdp.Attribute {
	attrs = append(attrs, psdp.NewAttribute("rtcp", strconv.Itoa(port+1)+" IN "+addrType+" "+ip))
	dir := "recvonly"
	if sendRecv {
		dir = "sendrecv"
	}
	attrs = append(attrs, psdp.NewPropertyAttribute(dir))
	if o.CName != "" {
		attrs = append(attrs, psdp.NewAttribute("ssrc", strconv.FormatUint(uint64(ssrc), 10)+" cname:"+o.CName))
	}
	return attrs
}

func mediaName(kind string, port int, pts ...int) psdp.MediaName {
	formats := make([]string, len(pts))
	for i, pt := range pts {
		formats[i] = strconv.Itoa(pt)
	}
	return psdp.MediaName{Media: kind, Port: psdp.RangedPort{Value: port}, Protos: []string{"RTP", "AVP"}, Formats: formats}
}

func (o *Offer) origin() string {
	if o.Origin == "" {
		return DefaultOrigin
	}
	return o.Origin
}

// validate checks what would otherwise produce an SDP the peer misreads.
func (o *Offer) validate() (netip.Addr, error) {
	addr, err := netip.ParseAddr(o.LocalIP)
	if err != nil {
		return addr, fmt.Errorf("%w: local IP %q: %w", ErrInvalidOffer, o.LocalIP, err)
	}
	addr = addr.Unmap()
	if addr.Zone() != "" || addr.IsUnspecified() {
		// A zone cannot be written in c=, and 0.0.0.0 means "on hold".
		return addr, fmt.Errorf("%w: local IP %q not usable in SDP", ErrInvalidOffer, o.LocalIP)
	}
	if !rtpPortOK(o.AudioPort) {
		return addr, fmt.Errorf("%w: audio port %d", ErrInvalidOffer, o.AudioPort)
	}
	if o.VideoPort != 0 && !rtpPortOK(o.VideoPort) {
		return addr, fmt.Errorf("%w: video port %d", ErrInvalidOffer, o.VideoPort)
	}
	if !isToken(o.origin()) {
		return addr, fmt.Errorf("%w: origin %q", ErrInvalidOffer, o.Origin)
	}
	if o.CName != "" && !isToken(o.CName) {
		return addr, fmt.Errorf("%w: cname %q", ErrInvalidOffer, o.CName)
	}
	return addr, nil
}

// rtpPortOK leaves room for the RTCP port above the RTP one.
func rtpPortOK(p int) bool { return p > 0 && p < 65535 }

// isToken reports whether s fits in one SDP field: no spaces, no controls.
func isToken(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}
