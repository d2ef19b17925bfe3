package device

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// SDP directions (RFC 3264 §6.1); the default is sendrecv.
const (
	dirSendRecv = "sendrecv"
	dirSendOnly = "sendonly"
	dirRecvOnly = "recvonly"
	dirInactive = "inactive"
)

// plainRTP are the profiles the device speaks: no SRTP, no DTLS.
var plainRTP = map[string]bool{"RTP/AVP": true, "RTP/AVPF": true}

// answerLine is the device's answer to one m= line of the offer.
type answerLine struct {
	kind     string // "audio", "video", or whatever was offered
	proto    string // the offer's profile, echoed back
	accepted bool
	pt       uint8  // negotiated payload type (accepted lines)
	reject   string // the offer's first format (rejected lines)
	dir      string // the device's direction (accepted lines)
	dest     *net.UDPAddr
}

// sends reports whether the device must send media on l: accepted, allowed
// by the direction, and the caller gave a usable address and port.
func (l answerLine) sends() bool {
	return l.accepted && (l.dir == dirSendRecv || l.dir == dirSendOnly) &&
		l.dest != nil && l.dest.Port != 0 && !l.dest.IP.IsUnspecified()
}

// negotiate reads the caller's offer and decides the answer: PCMU (static
// PT 0, or a dynamic PT named PCMU/8000) for audio, and for video the first
// H.264 payload type whose fmtp says packetization-mode=1 (the capture uses
// FU-A and STAP-A, which mode 0 forbids). Other m= lines are rejected with
// port 0, as are repeats of an accepted kind; at least one line must be
// accepted.
func negotiate(offer []byte) ([]answerLine, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(offer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadOffer, err)
	}
	sessionDir := direction(sd.Attributes)
	lines := make([]answerLine, 0, len(sd.MediaDescriptions))
	accepted := map[string]bool{} // one stream per kind: the device has one of each
	for _, md := range sd.MediaDescriptions {
		l := answerLine{kind: md.MediaName.Media, proto: strings.Join(md.MediaName.Protos, "/")}
		if len(md.MediaName.Formats) > 0 {
			l.reject = md.MediaName.Formats[0]
		}
		pt, ok := -1, md.MediaName.Port.Value != 0 && plainRTP[l.proto] && !accepted[l.kind]
		if ok {
			switch l.kind {
			case "audio":
				pt = findFormat(md, "PCMU/8000", "", payloadTypePCMU)
			case "video":
				pt = findFormat(md, "H264/90000", "packetization-mode=1", -1)
			}
		}
		if pt < 0 {
			lines = append(lines, l)
			continue
		}
		l.accepted, l.pt = true, uint8(pt)
		l.dir = answerDirection(direction(md.Attributes), sessionDir)
		l.dest = destination(&sd, md)
		lines = append(lines, l)
		accepted[l.kind] = true
	}
	if len(accepted) == 0 {
		return nil, ErrNoAcceptableMedia
	}
	return lines, nil
}

// findFormat returns the first offered payload type whose rtpmap names
// encoding (case-insensitively) and whose fmtp contains param (when given);
// staticPT also matches without an rtpmap. -1 when none does.
func findFormat(md *sdp.MediaDescription, encoding, param string, staticPT int) int {
	rtpmap, fmtp := map[string]string{}, map[string]string{}
	for _, a := range md.Attributes {
		pt, rest, _ := strings.Cut(a.Value, " ")
		switch a.Key {
		case "rtpmap":
			rtpmap[pt] = strings.TrimSpace(rest)
		case "fmtp":
			fmtp[pt] = strings.ReplaceAll(strings.TrimSpace(rest), " ", "")
		}
	}
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.Atoi(f)
		if err != nil || pt < 0 || pt > 127 {
			continue
		}
		name, mapped := rtpmap[f]
		switch {
		case mapped && !strings.EqualFold(name, encoding) && !strings.EqualFold(name, encoding+"/1"):
			continue
		case !mapped && pt != staticPT:
			continue
		}
		if param != "" && !hasParam(fmtp[f], param) {
			continue
		}
		return pt
	}
	return -1
}

// hasParam reports whether the fmtp parameter list has key=value.
func hasParam(fmtp, kv string) bool {
	for p := range strings.SplitSeq(fmtp, ";") {
		if strings.EqualFold(p, kv) {
			return true
		}
	}
	return false
}

func direction(attrs []sdp.Attribute) string {
	for _, a := range attrs {
		switch a.Key {
		case dirSendRecv, dirSendOnly, dirRecvOnly, dirInactive:
			return a.Key
		}
	}
	return ""
}

// answerDirection mirrors the offer's direction (RFC 3264 §6.1).
func answerDirection(media, session string) string {
	d := media
	if d == "" {
		d = session
	}
	switch d {
	case dirRecvOnly:
		return dirSendOnly
	case dirSendOnly:
		return dirRecvOnly
	case dirInactive:
		return dirInactive
	default:
		return dirSendRecv
	}
}

// destination is the caller's c= address (media level, else session level)
// and m= port; nil if there is no usable IPv4/IPv6 address.
func destination(sd *sdp.SessionDescription, md *sdp.MediaDescription) *net.UDPAddr {
	ci := md.ConnectionInformation
	if ci == nil {
		ci = sd.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return nil
	}
	ip := net.ParseIP(ci.Address.Address)
	if ip == nil {
		return nil
	}
	return &net.UDPAddr{IP: ip, Port: md.MediaName.Port.Value}
}

// buildAnswer writes the SDP answer: one m= line per offered line, in order,
// with the device's ports for accepted audio and video (ports[kind]).
func buildAnswer(lines []answerLine, ip net.IP, ports map[string]int, videoFmtp string, sessionID uint64) []byte {
	family := "IP4"
	if ip.To4() == nil {
		family = "IP6"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=sipcast-device %d %d IN %s %s\r\ns=sipcast device\r\n", sessionID, sessionID, family, ip)
	fmt.Fprintf(&b, "c=IN %s %s\r\nt=0 0\r\n", family, ip)
	for _, l := range lines {
		if !l.accepted {
			fmt.Fprintf(&b, "m=%s 0 %s %s\r\n", l.kind, l.proto, l.reject)
			continue
		}
		fmt.Fprintf(&b, "m=%s %d %s %d\r\n", l.kind, ports[l.kind], l.proto, l.pt)
		switch l.kind {
		case "audio":
			fmt.Fprintf(&b, "a=rtpmap:%d PCMU/8000\r\na=ptime:%d\r\n", l.pt, audioPTime.Milliseconds())
		case "video":
			fmt.Fprintf(&b, "a=rtpmap:%d H264/90000\r\na=fmtp:%d %s\r\n", l.pt, l.pt, videoFmtp)
		}
		fmt.Fprintf(&b, "a=%s\r\n", l.dir)
	}
	return []byte(b.String())
}
