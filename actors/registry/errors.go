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
	// ErrFull: this node is at its capacity (SIPCAST_MAX_CALLS); a 503 unless the cluster
	// places the call elsewhere.
	ErrFull error = capacityError{}
)

type capacityError struct{}

func (capacityError) Error() string { return "at capacity" }

// Unwrap makes ErrFull a 503 at the REST edge.
func (capacityError) Unwrap() error { return callapi.ErrUnavailable }
