package rtmpurl

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// MaxURLLength bounds rtmpUrl. Real ones are well under 200 bytes; the
	// bound keeps registry keys and log lines small.
	MaxURLLength = 2048
	// MaxStreamLength bounds rtmpStream, for the same reason.
	MaxStreamLength = 256

	// Default ports of the schemes, made explicit in every Target.
	DefaultRTMPPort  = "1935"
	DefaultRTMPSPort = "443"
)

// Parse checks rtmpURL and stream and splits them into a Target. The host
// keeps its spelling (Key normalises it); trailing slashes of the path are
// dropped, so "rtmp://h/live/" and "rtmp://h/live" name the same application.
func Parse(rtmpURL, stream string) (Target, error) {
	if len(rtmpURL) > MaxURLLength {
		return Target{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidURL, MaxURLLength)
	}
	u, err := url.Parse(rtmpURL)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}

	var defPort string
	switch u.Scheme { // url.Parse lower-cases it
	case "rtmp":
		defPort = DefaultRTMPPort
	case "rtmps":
		defPort = DefaultRTMPSPort
	default:
		return Target{}, fmt.Errorf("%w: %w: %q", ErrInvalidURL, ErrUnsupportedScheme, u.Scheme)
	}
	if u.Opaque != "" {
		return Target{}, fmt.Errorf("%w: %w: expected %s://host/app", ErrInvalidURL, ErrMissingHost, u.Scheme)
	}
	if u.Fragment != "" || strings.Contains(rtmpURL, "#") {
		// The fragment carries the stream name to gortmplib.
		return Target{}, fmt.Errorf("%w: fragment not allowed", ErrInvalidURL)
	}

	host := u.Hostname()
	if host == "" {
		return Target{}, fmt.Errorf("%w: %w", ErrInvalidURL, ErrMissingHost)
	}
	if !validHost(host) {
		return Target{}, fmt.Errorf("%w: host %q", ErrInvalidURL, host)
	}
	port := u.Port()
	if port == "" {
		port = defPort
	} else {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return Target{}, fmt.Errorf("%w: port %q", ErrInvalidURL, port)
		}
		port = strconv.Itoa(n) // drops leading zeros, which would split keys
	}

	app := strings.Trim(u.Path, "/")
	if app == "" {
		return Target{}, fmt.Errorf("%w: %w", ErrInvalidURL, ErrMissingApp)
	}
	if strings.ContainsAny(app, "?#") || strings.ContainsFunc(app, isControl) || !utf8.ValidString(app) {
		// Escaped '?' or '#' would make the app ambiguous once rendered.
		return Target{}, fmt.Errorf("%w: application %q", ErrInvalidURL, app)
	}

	if err := checkStream(stream); err != nil {
		return Target{}, err
	}
	return Target{
		Scheme: u.Scheme,
		Host:   net.JoinHostPort(host, port),
		App:    app,
		Query:  u.RawQuery,
		Stream: stream,
		User:   u.User,
	}, nil
}

// validHost accepts IP addresses without zone (a zone cannot be dialled
// portably and would not survive the key) and DNS-style names.
func validHost(h string) bool {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Zone() == ""
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

func checkStream(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty", ErrInvalidStream)
	case len(s) > MaxStreamLength:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidStream, MaxStreamLength)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: not UTF-8", ErrInvalidStream)
	case strings.ContainsAny(s, "/?#") || strings.ContainsFunc(s, func(r rune) bool { return isControl(r) || unicode.IsSpace(r) }):
		return fmt.Errorf("%w: %q", ErrInvalidStream, s)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
