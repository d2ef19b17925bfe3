package callapi

import "errors"

var (
	// ErrWrongType: a field has a JSON type that cannot be read as the field's type.
	ErrWrongType = errors.New("wrong type")
	// ErrMissing: a required field is absent or empty.
	ErrMissing = errors.New("missing field")
	// ErrInvalid: a field is present but its value is not acceptable.
	ErrInvalid = errors.New("invalid value")
)

// The outcomes the engine reports to the REST layer, which maps each to one HTTP status
// (api/errors.go). The actor packages return these same values (registry.ErrConflict is
// ErrConflict), so a handler classifies an engine error without importing the engine.
var (
	// ErrConflict: a live call or push already holds the callId, toStream or rtmpUrl+rtmpStream (409).
	ErrConflict = errors.New("conflict")
	// ErrNotFound: no call or push matches (404).
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the engine did not answer in time (503).
	ErrUnavailable = errors.New("registry unavailable")
	// ErrNotEstablished: the request needs an established call (DTMF before the answer) (400).
	ErrNotEstablished = errors.New("call: not established")
	// ErrDTMFNotNegotiated: the digits cannot go as asked (400): RFC 2833 to a call whose answer
	// refused telephone-event, where neither in-band tones (sipcast sends no audio the device
	// takes) nor INFO (the device does not allow it) can stand in; or INBAND on such a call.
	ErrDTMFNotNegotiated = errors.New("call: DTMF cannot reach the device")
	// ErrDTMFFailed: the device refused the DTMF, or it could not be sent (502).
	ErrDTMFFailed = errors.New("call: DTMF not delivered")
)
