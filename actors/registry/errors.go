package registry

import "errors"

var (
	// ErrConflict: a live call already holds the callId, toStream or rtmpUrl+rtmpStream (409).
	ErrConflict = errors.New("conflict")
	// ErrNotFound: no call matches (404).
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the registry did not answer in time (503).
	ErrUnavailable = errors.New("registry unavailable")
)
