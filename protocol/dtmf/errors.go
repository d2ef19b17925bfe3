package dtmf

import "errors"

var (
	// ErrNoDigits: the digit string is empty.
	ErrNoDigits = errors.New("dtmf: no digits")
	// ErrTooManyDigits: the digit string is longer than MaxDigits.
	ErrTooManyDigits = errors.New("dtmf: too many digits")
	// ErrInvalidDigit: a character outside 0-9 * # A-D.
	ErrInvalidDigit = errors.New("dtmf: invalid digit")
	// ErrShortPayload: a telephone-event payload shorter than its 4 bytes.
	ErrShortPayload = errors.New("dtmf: telephone-event payload shorter than 4 bytes")
	// ErrMalformedBody: an INFO body that names no valid digit.
	ErrMalformedBody = errors.New("dtmf: malformed INFO body")
)
