package dtmftone

import "errors"

var (
	// ErrDigit is a character that is not a DTMF key (0-9, *, #, A-D).
	ErrDigit = errors.New("dtmftone: not a DTMF digit")
	// ErrConfig is a rate, duration or level the generator cannot use.
	ErrConfig = errors.New("dtmftone: bad configuration")
)
