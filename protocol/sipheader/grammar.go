package sipheader

import (
	"fmt"
	"net"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Values a client gives sipcast end up in the INVITE it sends. RFC 3261 §25.1 is the grammar
// each must fit; a value that does not is refused, never cut or passed on, so no input can end
// a header line, add a header or start a second request.

// CheckDisplayName accepts a display name that can stand in a quoted-string (RFC 3261 §25.1:
// qdtext / quoted-pair): any printable UTF-8, no control characters (CR and LF above all, which
// not even a quoted-pair may carry), and no Unicode line or paragraph separators, which some
// parsers take as line ends. Quotes and backslashes are fine: QuoteDisplayName escapes them.
func CheckDisplayName(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: display name is not UTF-8", ErrMalformed)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || r == utf8.RuneError {
			return fmt.Errorf("%w: display name holds control character %U", ErrMalformed, r)
		}
	}
	return nil
}

// QuoteDisplayName escapes s for the inside of a quoted-string: '"' and '\' become quoted-pairs.
// sipgo writes a display name between quotes as it is, so this is done before handing it over.
// Control characters, which CheckDisplayName refuses, are dropped here as a second line.
func QuoteDisplayName(s string) string {
	if !strings.ContainsAny(s, "\"\\") && CheckDisplayName(s) == nil {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IsCallID reports whether s is a Call-ID (RFC 3261: word [ "@" word ]). sipcast is stricter
// than word on three characters: '"', '<' and '>' are refused because the call id also names
// the RTMP stream, the SDP cname and log lines, where they only cause trouble; and '\'.
func IsCallID(s string) bool {
	left, right, at := strings.Cut(s, "@")
	return isWord(left) && (!at || isWord(right))
}

// wordChars are word's characters besides letters and digits, less '"', '<', '>' and '\'.
const wordChars = "-.!%*_+`'~():/[]?{}"

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(wordChars, c) >= 0) {
			return false
		}
	}
	return true
}

// NormalizeHost checks a host (RFC 3261 hostname, IPv4address or IPv6reference) and returns it
// as a SIP URI must carry it: an IPv6 literal in brackets (given with or without them), an
// IPv4-mapped IPv6 address as plain IPv4 (the form every stack dials), a name as it is.
func NormalizeHost(h string) (string, error) {
	inner := h
	bracketed := strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]")
	if bracketed {
		inner = h[1 : len(h)-1]
	}
	if ip := net.ParseIP(inner); ip != nil && !strings.Contains(inner, "%") {
		if v4 := ip.To4(); v4 != nil {
			if bracketed && !strings.Contains(inner, ":") {
				return "", fmt.Errorf("%w: host %q: an IPv4 address takes no brackets", ErrMalformed, h)
			}
			return v4.String(), nil
		}
		return "[" + ip.String() + "]", nil
	}
	if bracketed || !isHostname(h) {
		return "", fmt.Errorf("%w: host %q is not a host name or IP address", ErrMalformed, h)
	}
	return h, nil
}

// isHostname: dot-separated labels of letters, digits and inner hyphens, at most 253 characters
// (RFC 3261's hostname, which also allows one trailing dot).
func isHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
