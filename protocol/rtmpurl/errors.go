package rtmpurl

import "errors"

var (
	// ErrInvalidURL: rtmpUrl is not a usable RTMP URL. The more specific
	// errors below wrap it too, so one errors.Is catches every URL problem.
	ErrInvalidURL = errors.New("rtmpurl: invalid RTMP URL")
	// ErrUnsupportedScheme: the scheme is neither rtmp nor rtmps.
	ErrUnsupportedScheme = errors.New("rtmpurl: scheme must be rtmp or rtmps")
	// ErrMissingHost: the URL names no host.
	ErrMissingHost = errors.New("rtmpurl: missing host")
	// ErrMissingApp: the URL has no path, so no RTMP application.
	ErrMissingApp = errors.New("rtmpurl: missing application")
	// ErrInvalidStream: rtmpStream is empty, too long, or has characters
	// that would change the URL's meaning ('/', '?', '#', spaces, controls).
	ErrInvalidStream = errors.New("rtmpurl: invalid stream name")
)
