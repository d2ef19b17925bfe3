package sdp

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

// Local is the gateway's side of a call when it answers an offer the peer makes inside the dialog
// (a re-INVITE or UPDATE: hold, resume, new ports, new codecs). The ports never change: the RTP
// sockets are the call's for its whole life.
type Local struct {
	Origin         string // o= username and s=; default DefaultOrigin
	SessionID      uint64 // the o= sess-id of the first offer
	SessionVersion uint64 // one more than the last SDP sent, when this answer differs from it
	LocalIP        string
	AudioPort      int
	VideoPort      int // 0: no video socket, every video line is refused
	AudioSend      bool
	VideoSend      bool // the call's own wish to send on the line (hasAudio/hasVideo)
	AudioSSRC      uint32
	VideoSSRC      uint32
	CName          string
	// Audio and Video are the encoding names the gateway can receive on each line, in its order
	// of preference ("PCMU", "PCMA", "H264").
	Audio, Video []string
	// AudioCurrent and VideoCurrent are the payload types in use, preferred when offered again
	// so that a re-INVITE that changes nothing changes nothing; -1 for none.
	AudioCurrent, VideoCurrent int
}

// Negotiated is the outcome of answering an offer: the peer's side of each line as the answer
// leaves it. Audio and Video are nil when refused. Their Codecs hold only what the answer accepted,
// the codec to receive first; Direction is the peer's own (its sendonly: it sends, we listen).
type Negotiated struct {
	Audio, Video *Media
	// Hold: the offer puts the call on hold — no accepted line asks us to send (sendonly,
	// inactive, or the RFC 2543 connection address 0.0.0.0).
	Hold bool
}

// AnswerOffer answers an SDP offer received in the dialog (RFC 3264 §6): one m= line per offered
// line, in order; the first audio and first video lines accepted with one codec the gateway can
// receive (plus telephone-event), every other line refused with port 0; directions mirrored.
func AnswerOffer(offer []byte, l Local) ([]byte, *Negotiated, error) {
	sd, err := parseSession(offer)
	if err != nil {
		return nil, nil, err
	}
	addr, err := netip.ParseAddr(l.LocalIP)
	if err != nil || addr.IsUnspecified() || addr.Zone() != "" {
		return nil, nil, fmt.Errorf("%w: local IP %q", ErrInvalidOffer, l.LocalIP)
	}
	addr = addr.Unmap()
	ip, addrType := addr.String(), "IP4"
	if addr.Is6() {
		addrType = "IP6"
	}
	origin := l.Origin
	if origin == "" {
		origin = DefaultOrigin
	}
	conn := &psdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType, Address: &psdp.Address{Address: ip}}
	ans := psdp.SessionDescription{
		Origin: psdp.Origin{Username: origin, SessionID: l.SessionID, SessionVersion: l.SessionVersion,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: ip},
		SessionName:           psdp.SessionName(origin),
		ConnectionInformation: conn,
		TimeDescriptions:      []psdp.TimeDescription{{}},
	}
	neg := &Negotiated{Hold: true}
	for _, md := range sd.MediaDescriptions {
		line := lineOf(md.MediaName.Media, l, neg)
		var m *Media
		if line != nil && md.MediaName.Port.Value != 0 {
			if m, err = parseMedia(sd, md); err != nil {
				return nil, nil, err
			}
			m.Codecs = pick(m.Codecs, line.names, line.current, line.kind == "audio")
		}
		if m == nil || len(m.Codecs) == 0 || !slices.Contains(md.MediaName.Protos, "AVP") {
			ans.MediaDescriptions = append(ans.MediaDescriptions, refused(md))
			continue
		}
		*line.dst = m
		if heldBy(m) == "" {
			neg.Hold = false
		}
		ans.MediaDescriptions = append(ans.MediaDescriptions, answerLine(m, line, ip, addrType, l.CName))
	}
	if neg.Audio == nil && neg.Video == nil {
		return nil, nil, ErrNoMedia
	}
	b, err := ans.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidOffer, err)
	}
	return b, neg, nil
}

// line is one of our two media lines, while answering.
type line struct {
	kind    string
	port    int
	send    bool
	ssrc    uint32
	names   []string
	current int
	dst     **Media
}

// lineOf returns our line for an offered m= line, or nil when it must be refused: a kind we do not
// carry, or a second line of a kind already answered.
func lineOf(kind string, l Local, neg *Negotiated) *line {
	switch {
	case kind == "audio" && neg.Audio == nil && l.AudioPort != 0:
		return &line{kind, l.AudioPort, l.AudioSend, l.AudioSSRC, l.Audio, l.AudioCurrent, &neg.Audio}
	case kind == "video" && neg.Video == nil && l.VideoPort != 0:
		return &line{kind, l.VideoPort, l.VideoSend, l.VideoSSRC, l.Video, l.VideoCurrent, &neg.Video}
	}
	return nil
}

// pick keeps one codec to receive — the one in use when offered again, else the first offered
// that names allows — and, on audio, the telephone-event formats.
func pick(offered []Codec, names []string, current int, audio bool) []Codec {
	choice := -1
	for i, c := range offered {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, c.Name) }) {
			continue
		}
		if !Receivable(c, !audio) {
			continue // a packetization mode, profile or clock rate the line cannot take
		}
		if int(c.PayloadType) == current {
			choice = i
			break
		}
		if choice < 0 {
			choice = i
		}
	}
	if choice < 0 {
		return nil
	}
	out := []Codec{offered[choice]}
	if audio {
		for _, c := range offered {
			if strings.EqualFold(c.Name, NameTelephoneEvent) {
				out = append(out, c)
			}
		}
	}
	return out
}

// heldBy says why the peer does not want our media on m: "" when it does.
func heldBy(m *Media) string {
	if a, err := netip.ParseAddr(m.IP); err == nil && a.IsUnspecified() {
		return "connection address " + m.IP
	}
	switch m.Direction {
	case DirSendOnly, DirInactive:
		return m.Direction
	}
	return ""
}

// answerDirection mirrors the peer's direction (RFC 3264 §6.1), given whether we would send.
func answerDirection(m *Media, send bool) string {
	theirs := m.Direction
	if heldBy(m) != "" && theirs == DirSendRecv {
		theirs = DirSendOnly // c=0.0.0.0: it may still send, it will not receive
	}
	switch theirs {
	case DirSendOnly:
		return DirRecvOnly
	case DirInactive:
		return DirInactive
	case DirRecvOnly:
		if send {
			return DirSendOnly
		}
		return DirInactive
	}
	if send {
		return DirSendRecv
	}
	return DirRecvOnly
}

func answerLine(m *Media, l *line, ip, addrType, cname string) *psdp.MediaDescription {
	formats := make([]string, len(m.Codecs))
	var attrs []psdp.Attribute
	for i, c := range m.Codecs {
		pt := strconv.Itoa(int(c.PayloadType))
		formats[i] = pt
		rtpmap := pt + " " + rtpmapName(c) + "/" + strconv.FormatUint(uint64(c.ClockRate), 10)
		if c.Channels > 1 {
			rtpmap += "/" + strconv.Itoa(c.Channels)
		}
		attrs = append(attrs, psdp.NewAttribute("rtpmap", rtpmap))
		if fmtp := answerFmtp(c); fmtp != "" {
			attrs = append(attrs, psdp.NewAttribute("fmtp", pt+" "+fmtp))
		}
	}
	if l.kind == "audio" {
		attrs = append(attrs, psdp.NewAttribute("ptime", "20"))
	} else {
		attrs = append(attrs, psdp.NewAttribute("rtcp-fb", "* ccm fir"), psdp.NewAttribute("rtcp-fb", "* nack pli"))
	}
	attrs = append(attrs, psdp.NewAttribute("rtcp", strconv.Itoa(l.port+1)+" IN "+addrType+" "+ip),
		psdp.NewPropertyAttribute(answerDirection(m, l.send)))
	if cname != "" {
		attrs = append(attrs, psdp.NewAttribute("ssrc", strconv.FormatUint(uint64(l.ssrc), 10)+" cname:"+cname))
	}
	return &psdp.MediaDescription{
		MediaName: psdp.MediaName{Media: l.kind, Port: psdp.RangedPort{Value: l.port},
			Protos: []string{"RTP", "AVP"}, Formats: formats},
		ConnectionInformation: &psdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType,
			Address: &psdp.Address{Address: ip}},
		Attributes: attrs,
	}
}

// answerFmtp echoes the offer's format parameters, less the H.264 parameter sets: those describe
// the sender's stream, and the gateway sends no video.
func answerFmtp(c Codec) string {
	if c.Name != NameH264 {
		return c.Fmtp
	}
	var keep []string
	for p := range strings.SplitSeq(c.Fmtp, ";") {
		k, _, _ := strings.Cut(p, "=")
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(strings.TrimSpace(k), "sprop-parameter-sets") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ";")
}

// rtpmapName writes an encoding name as peers expect to read it back.
func rtpmapName(c Codec) string {
	if strings.EqualFold(c.Name, NameTelephoneEvent) {
		return NameTelephoneEvent
	}
	return c.Name
}

// refused is the answer's line for an offered line it does not take: port 0, formats echoed.
func refused(md *psdp.MediaDescription) *psdp.MediaDescription {
	formats := md.MediaName.Formats
	if len(formats) == 0 {
		formats = []string{"0"}
	}
	return &psdp.MediaDescription{MediaName: psdp.MediaName{Media: md.MediaName.Media,
		Port: psdp.RangedPort{Value: 0}, Protos: md.MediaName.Protos, Formats: formats}}
}

// parseSession is what ParseAnswer and AnswerOffer share: the size bound, line-ending fixes,
// pion, and the bound on m= lines.
func parseSession(b []byte) (*psdp.SessionDescription, error) {
	if len(b) > MaxSDPSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	s := strings.TrimLeft(string(b), "\r\n")
	if !strings.HasPrefix(s, "v=") {
		return nil, fmt.Errorf("%w: no v= line first", ErrMalformed)
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\r\n"
	}
	var sd psdp.SessionDescription
	if err := sd.UnmarshalString(s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(sd.MediaDescriptions) > MaxMediaLines {
		return nil, fmt.Errorf("%w: %d m= lines", ErrMalformed, len(sd.MediaDescriptions))
	}
	return &sd, nil
}

// Held reports why the peer's side of m keeps our media from it ("" when it does not): its
// direction, or the RFC 2543 hold address.
func Held(m *Media) string {
	if m == nil {
		return ""
	}
	return heldBy(m)
}
