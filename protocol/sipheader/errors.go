package sipheader

import "errors"

var (
	// ErrMalformed: a header value that does not follow its grammar.
	ErrMalformed = errors.New("sipheader: malformed value")
	// ErrRange: a delta-seconds value out of the range this package accepts.
	ErrRange = errors.New("sipheader: value out of range")
)
