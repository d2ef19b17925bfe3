package callapi

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/sipcast/sipcast/protocol/rtmpurl"
	"github.com/sipcast/sipcast/protocol/sipheader"
)

// MsgReservedSymbols is the spec's exact message for a SIP login that RFC 3261 does not allow.
const MsgReservedSymbols = "SIP login or authentication name contains reserved symbols"

// maxFieldLen bounds every text field: no SIP header or stream name needs more, and it keeps a
// hostile body from growing every later copy of the call object.
const maxFieldLen = 512

// StartupRequest is the /call/startup body as clients send it. Unknown fields are ignored.
type StartupRequest struct {
	CallID                Text `json:"callId"`
	Callee                Text `json:"callee"`
	ToStream              Text `json:"toStream"`
	RTMPURL               Text `json:"rtmpUrl"`
	RTMPStream            Text `json:"rtmpStream"`
	HasAudio              Bool `json:"hasAudio"`
	HasVideo              Bool `json:"hasVideo"`
	SIPLogin              Text `json:"sipLogin"`
	SIPAuthenticationName Text `json:"sipAuthenticationName"`
	SIPPassword           Text `json:"sipPassword"`
	SIPDomain             Text `json:"sipDomain"`
	SIPOutboundProxy      Text `json:"sipOutboundProxy"`
	SIPPort               Text `json:"sipPort"`
	AppKey                Text `json:"appKey"`
	SIPRegisterRequired   Bool `json:"sipRegisterRequired"`
	VisibleName           Text `json:"visibleName"`
	RTMPAudioCodec        Text `json:"rtmpAudioCodec"`
	SIPTransport          Text `json:"sipTransport"`
}

// Startup is a validated, normalised /call/startup request.
type Startup struct {
	CallID   string
	Callee   string
	ToStream string
	// RTMP is the publishing target; nil when the call is only kept as the server stream ToStream.
	RTMP *rtmpurl.Target
	// RTMPURL is rtmpUrl as the client gave it, its password and secret query values masked
	// (rtmpurl.Redact): what the call object, events, notifications and logs show.
	RTMPURL          string
	HasAudio         bool
	HasVideo         bool
	SIPLogin         string
	SIPAuthName      string // falls back to SIPLogin
	SIPPassword      string
	SIPDomain        string
	SIPOutboundProxy string
	SIPPort          int // 5060 when absent
	AppKey           string
	RegisterRequired bool
	VisibleName      string
	// RTMPAudioCodec is the audio codec wanted on the RTMP side: "" (the server's default), "aac",
	// "pcmu", "pcma" or "speex" (the last three pass the device's audio through when it matches).
	RTMPAudioCodec string
	// SIPTransport is "udp" (the default), "tcp" or "tls": how every request of the call (and its
	// REGISTERs) travels.
	SIPTransport string
}

// ParseStartup decodes and validates a /call/startup body. Its errors wrap ErrWrongType,
// ErrMissing or ErrInvalid and read well as the message of a 400 answer.
func ParseStartup(body []byte) (Startup, error) {
	var req StartupRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Startup{}, fmt.Errorf("%w: field %q: %v", ErrWrongType, te.Field, err)
		}
		if errors.Is(err, ErrWrongType) {
			return Startup{}, err
		}
		return Startup{}, fmt.Errorf("%w: malformed JSON: %v", ErrWrongType, err)
	}
	return req.Validate()
}

// Validate checks the request and fills defaults.
func (r StartupRequest) Validate() (Startup, error) {
	s := Startup{
		CallID:           trim(r.CallID),
		Callee:           trim(r.Callee),
		ToStream:         trim(r.ToStream),
		HasAudio:         r.HasAudio.Or(true),
		HasVideo:         r.HasVideo.Or(true),
		SIPLogin:         trim(r.SIPLogin),
		SIPAuthName:      trim(r.SIPAuthenticationName),
		SIPPassword:      string(r.SIPPassword),
		SIPDomain:        trim(r.SIPDomain),
		SIPOutboundProxy: trim(r.SIPOutboundProxy),
		AppKey:           trim(r.AppKey),
		RegisterRequired: r.SIPRegisterRequired.Or(false),
		VisibleName:      trim(r.VisibleName),
	}
	for name, v := range map[string]string{"callId": s.CallID, "callee": s.Callee, "toStream": s.ToStream,
		"sipLogin": s.SIPLogin, "sipAuthenticationName": s.SIPAuthName, "sipPassword": s.SIPPassword,
		"sipDomain": s.SIPDomain, "sipOutboundProxy": s.SIPOutboundProxy, "appKey": s.AppKey,
		"visibleName": s.VisibleName, "rtmpUrl": string(r.RTMPURL), "rtmpStream": string(r.RTMPStream)} {
		if len(v) > maxFieldLen {
			return Startup{}, fmt.Errorf("%w: %s is longer than %d characters", ErrInvalid, name, maxFieldLen)
		}
	}
	if s.Callee == "" {
		return Startup{}, fmt.Errorf("%w: callee", ErrMissing)
	}
	if !ValidSIPUser(s.Callee) {
		return Startup{}, fmt.Errorf("%w: callee %q is not a valid SIP user part", ErrInvalid, s.Callee)
	}
	if s.SIPDomain == "" {
		return Startup{}, fmt.Errorf("%w: sipDomain", ErrMissing)
	}
	domain, err := sipheader.NormalizeHost(s.SIPDomain)
	if err != nil {
		return Startup{}, fmt.Errorf("%w: sipDomain %q is not a host name or address (IPv6 in brackets)", ErrInvalid, s.SIPDomain)
	}
	s.SIPDomain = domain
	if s.SIPOutboundProxy != "" {
		proxy, ok := normalizeHostPort(s.SIPOutboundProxy)
		if !ok {
			return Startup{}, fmt.Errorf("%w: sipOutboundProxy %q is not host[:port] (IPv6 in brackets)", ErrInvalid, s.SIPOutboundProxy)
		}
		s.SIPOutboundProxy = proxy
	}
	if err := sipheader.CheckDisplayName(s.VisibleName); err != nil {
		return Startup{}, fmt.Errorf("%w: visibleName may not hold control characters or line breaks", ErrInvalid)
	}
	if (s.SIPLogin != "" && !ValidSIPUser(s.SIPLogin)) || (s.SIPAuthName != "" && !ValidSIPUser(s.SIPAuthName)) {
		return Startup{}, fmt.Errorf("%w: %s", ErrInvalid, MsgReservedSymbols)
	}
	if s.SIPAuthName == "" {
		s.SIPAuthName = s.SIPLogin
	}
	port, err := r.SIPPort.Port()
	if err != nil {
		return Startup{}, fmt.Errorf("sipPort: %w", err)
	}
	s.SIPPort = port
	if s.SIPPort == 0 {
		s.SIPPort = 5060
	}
	if s.CallID == "" {
		s.CallID = NewCallID()
	}
	if !sipheader.IsCallID(s.CallID) {
		return Startup{}, fmt.Errorf("%w: callId %q: want letters, digits and -.!%%*_+`'~():/[]?{} with at most one @ (a SIP Call-ID)",
			ErrInvalid, s.CallID)
	}
	if s.ToStream == "" {
		s.ToStream = s.CallID
	}
	if err := s.parseRTMP(trim(r.RTMPURL), trim(r.RTMPStream)); err != nil {
		return Startup{}, err
	}
	codec, ok := AudioCodecName(trim(r.RTMPAudioCodec))
	if !ok {
		return Startup{}, fmt.Errorf("%w: rtmpAudioCodec %q: want aac, pcmu, pcma or speex", ErrInvalid, trim(r.RTMPAudioCodec))
	}
	s.RTMPAudioCodec = codec
	switch t := strings.ToLower(trim(r.SIPTransport)); t {
	case "", "udp", "tcp", "tls":
		s.SIPTransport = cmp.Or(t, "udp")
	default:
		return Startup{}, fmt.Errorf("%w: sipTransport %q: want udp, tcp or tls", ErrInvalid, trim(r.SIPTransport))
	}
	return s, nil
}

func (s *Startup) parseRTMP(rawURL, stream string) error {
	if rawURL == "" {
		if stream != "" {
			return fmt.Errorf("%w: rtmpStream %q given without rtmpUrl", ErrInvalid, stream)
		}
		return nil
	}
	if stream == "" {
		// The original demo names the RTMP stream after the server stream; do the same rather than
		// refusing a call that says where to publish.
		stream = s.ToStream
	}
	t, err := rtmpurl.Parse(rawURL, stream)
	if err != nil {
		return fmt.Errorf("%w: rtmpUrl/rtmpStream: %v", ErrInvalid, err)
	}
	s.RTMP = &t
	s.RTMPURL = rtmpurl.Redact(rawURL)
	return nil
}

func trim(t Text) string { return strings.TrimSpace(string(t)) }

// ValidSIPUser reports whether s may stand unescaped as the user part of a SIP URI
// (RFC 3261 §25.1: unreserved, user-unreserved and %HH escapes).
func ValidSIPUser(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// normalizeHostPort checks host[:port] and gives the host its SIP URI form (IPv6 in brackets).
// A bare IPv6 address (no port) is taken as a host.
func normalizeHostPort(hp string) (string, bool) {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		h, err := sipheader.NormalizeHost(hp)
		return h, err == nil
	}
	if n, err := Text(port).Port(); err != nil || n == 0 {
		return "", false
	}
	h, err := sipheader.NormalizeHost(host)
	if err != nil {
		return "", false
	}
	return net.JoinHostPort(strings.Trim(h, "[]"), port), true
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewCallID makes a call id in the shape the original's demo makes them: four random
// alphanumeric groups joined by '-'.
func NewCallID() string {
	var raw [28]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails on Linux (Go 1.24+ panics instead)
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%7 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(idAlphabet[int(r)%len(idAlphabet)])
	}
	return b.String()
}

// AudioCodecName normalises an RTMP audio codec name ("g711" means µ-law); "" stays "".
func AudioCodecName(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "":
		return "", true
	case "aac":
		return "aac", true
	case "pcmu", "g711", "g711u", "ulaw":
		return "pcmu", true
	case "pcma", "g711a", "alaw":
		return "pcma", true
	case "speex":
		return "speex", true
	}
	return "", false
}
