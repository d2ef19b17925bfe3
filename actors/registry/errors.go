package registry

import "github.com/sipcast/sipcast/protocol/callapi"

// The registry's outcomes are the REST contract's, so the REST layer classifies them without
// importing this package.
var (
	// ErrConflict: a live call already holds the callId, toStream or rtmpUrl+rtmpStream (409).
	ErrConflict = callapi.ErrConflict
	// ErrNotFound: no call matches (404).
	ErrNotFound = callapi.ErrNotFound
	// ErrUnavailable: the registry did not answer in time (503).
	ErrUnavailable = callapi.ErrUnavailable
)
