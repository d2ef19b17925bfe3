package sdp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

// MaxCodecs bounds the formats of one m= line. Real answers list a handful;
// the bound keeps a hostile answer from making every lookup expensive.
const MaxCodecs = 32

// Directions of RFC 3264 §6.1, from the answerer's point of view.
const (
	DirSendRecv = "sendrecv"
	DirSendOnly = "sendonly"
	DirRecvOnly = "recvonly"
	DirInactive = "inactive"
)

// Media is one accepted m= section of the answer.
type Media struct {
	IP        string   // media-level c= address, else the session-level one
	Port      int      // RTP port
	RTCPIP    string   // a=rtcp address when given, else IP
	RTCPPort  int      // a=rtcp port, else Port+1
	Direction string   // DirSendRecv (default), DirSendOnly, DirRecvOnly or DirInactive
	Codecs    []Codec  // in m= line order; the first is the one the peer chose
	RTCPFb    []string // a=rtcp-fb values, verbatim ("* nack pli", "96 ccm fir")
}

// First returns the first codec of the answer whose name is one of names
// (case-insensitive). The answerer lists its preferred codec first.
func (m *Media) First(names ...string) (Codec, bool) {
	for _, c := range m.Codecs {
		for _, n := range names {
			if strings.EqualFold(c.Name, n) {
				return c, true
			}
		}
	}
	return Codec{}, false
}

// ReceivesFromPeer reports whether the peer will send RTP on this stream.
func (m *Media) ReceivesFromPeer() bool {
	return m.Direction == DirSendRecv || m.Direction == DirSendOnly
}

// parseMedia reads one m= section; it returns nil for a rejected one
// (port 0).
func parseMedia(sd *psdp.SessionDescription, md *psdp.MediaDescription) (*Media, error) {
	if md.MediaName.Port.Value == 0 {
		return nil, nil
	}
	m := &Media{Port: md.MediaName.Port.Value, Direction: direction(sd.Attributes, DirSendRecv)}

	switch {
	case md.ConnectionInformation != nil && md.ConnectionInformation.Address != nil:
		m.IP = connAddress(md.ConnectionInformation)
	case sd.ConnectionInformation != nil && sd.ConnectionInformation.Address != nil:
		m.IP = connAddress(sd.ConnectionInformation)
	}
	if m.IP == "" {
		return nil, fmt.Errorf("%w: %s stream without a connection address", ErrMalformed, md.MediaName.Media)
	}
	m.RTCPIP, m.RTCPPort = m.IP, m.Port+1

	if err := m.parseFormats(md.MediaName); err != nil {
		return nil, err
	}
	m.Direction = direction(md.Attributes, m.Direction)
	for _, a := range md.Attributes {
		var err error
		switch strings.ToLower(a.Key) {
		case "rtpmap":
			err = m.parseRtpmap(a.Value, md.MediaName.Media == "audio")
		case "fmtp":
			m.parseFmtp(a.Value)
		case "rtcp":
			err = m.parseRTCP(a.Value)
		case "rtcp-fb":
			m.RTCPFb = append(m.RTCPFb, strings.TrimSpace(a.Value))
		}
		if err != nil {
			return nil, err
		}
	}
	if m.RTCPPort > 65535 {
		return nil, fmt.Errorf("%w: RTP port %d leaves no RTCP port", ErrMalformed, m.Port)
	}
	return m, nil
}

// parseFormats fills Codecs from the m= line, naming static payload types.
func (m *Media) parseFormats(mn psdp.MediaName) error {
	if len(mn.Formats) == 0 {
		return fmt.Errorf("%w: %s m= line without formats", ErrMalformed, mn.Media)
	}
	if len(mn.Formats) > MaxCodecs {
		return fmt.Errorf("%w: %d formats in the %s m= line", ErrTooManyCodecs, len(mn.Formats), mn.Media)
	}
	for _, f := range mn.Formats {
		pt, err := parsePT(f)
		if err != nil {
			return err
		}
		if m.codec(pt) != nil {
			continue // listed twice: the first position counts
		}
		c := staticCodecs[pt]
		c.PayloadType = pt
		if c.Channels == 0 && mn.Media == "audio" && c.Name == "" {
			c.Channels = 1
		}
		m.Codecs = append(m.Codecs, c)
	}
	return nil
}

// parseRtpmap applies "PT NAME/RATE[/CHANNELS]" to the codec it names.
// Lines for payload types absent from m= are ignored, however broken.
func (m *Media) parseRtpmap(v string, audio bool) error {
	f := strings.Fields(v)
	if len(f) == 0 {
		return fmt.Errorf("%w: a=rtpmap:%s", ErrMalformed, v)
	}
	pt, err := parsePT(f[0])
	if err != nil {
		return err
	}
	c := m.codec(pt)
	if c == nil {
		return nil
	}
	if len(f) != 2 {
		return fmt.Errorf("%w: a=rtpmap:%s", ErrMalformed, v)
	}
	parts := strings.Split(f[1], "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" {
		return fmt.Errorf("%w: a=rtpmap:%s", ErrMalformed, v)
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || rate == 0 {
		return fmt.Errorf("%w: a=rtpmap:%s: clock rate", ErrMalformed, v)
	}
	channels := 0
	if audio {
		channels = 1
	}
	if len(parts) == 3 {
		n, err := strconv.ParseUint(parts[2], 10, 8)
		if err != nil || n == 0 {
			return fmt.Errorf("%w: a=rtpmap:%s: channels", ErrMalformed, v)
		}
		channels = int(n)
	}
	c.Name, c.ClockRate, c.Channels = strings.ToUpper(parts[0]), uint32(rate), channels
	return nil
}

// parseFmtp applies "PT PARAMS" to the codec it names.
func (m *Media) parseFmtp(v string) {
	ptText, params, _ := strings.Cut(strings.TrimSpace(v), " ")
	pt, err := parsePT(ptText)
	if err != nil {
		return // fmtp is advisory: a broken one must not fail the call
	}
	if c := m.codec(pt); c != nil {
		c.Fmtp = strings.TrimSpace(params)
	}
}

// parseRTCP reads "PORT [IN IP4|IP6 ADDRESS]" (RFC 3605).
func (m *Media) parseRTCP(v string) error {
	f := strings.Fields(v)
	if len(f) != 1 && len(f) != 4 {
		return fmt.Errorf("%w: a=rtcp:%s", ErrMalformed, v)
	}
	port, err := strconv.Atoi(f[0])
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("%w: a=rtcp:%s: port", ErrMalformed, v)
	}
	m.RTCPPort = port
	if len(f) == 4 {
		if f[1] != "IN" || (f[2] != "IP4" && f[2] != "IP6") {
			return fmt.Errorf("%w: a=rtcp:%s: address type", ErrMalformed, v)
		}
		m.RTCPIP = f[3]
	}
	return nil
}

func (m *Media) codec(pt uint8) *Codec {
	i := slices.IndexFunc(m.Codecs, func(c Codec) bool { return c.PayloadType == pt })
	if i < 0 {
		return nil
	}
	return &m.Codecs[i]
}

// parsePT reads an RTP payload type: 7 bits (RFC 3550 §5.1).
func parsePT(s string) (uint8, error) {
	n, err := strconv.ParseUint(s, 10, 7)
	if err != nil {
		return 0, fmt.Errorf("%w: payload type %q", ErrMalformed, s)
	}
	return uint8(n), nil
}

// direction returns the last direction attribute of attrs, else def.
func direction(attrs []psdp.Attribute, def string) string {
	for _, a := range attrs {
		switch a.Key {
		case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
			def = a.Key
		}
	}
	return def
}

// connAddress strips the multicast "/ttl[/range]" suffix pion keeps.
func connAddress(c *psdp.ConnectionInformation) string {
	addr, _, _ := strings.Cut(c.Address.Address, "/")
	return addr
}
