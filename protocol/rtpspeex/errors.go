package rtpspeex

import "errors"

var (
	// ErrMalformed: the payload holds no Speex frame, a reserved mode, a
	// frame cut short, or more wideband layers than Speex defines.
	ErrMalformed = errors.New("rtpspeex: malformed payload")
	// ErrClockRate: the stream's clock rate is neither 8000 nor 16000 Hz.
	ErrClockRate = errors.New("rtpspeex: clock rate must be 8000 or 16000")
)
