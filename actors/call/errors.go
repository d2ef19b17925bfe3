package call

import "errors"

var (
	// ErrBadAnswer: the callee's SDP answer cannot be used (unparsable, or no codec we offered).
	ErrBadAnswer = errors.New("call: unusable SDP answer")
	// ErrNoAnswer: nobody answered within the INVITE timeout.
	ErrNoAnswer = errors.New("call: no answer")
	// ErrActorFailed: the call's actor crashed and was stopped by its supervisor.
	ErrActorFailed = errors.New("call: internal failure")
)
