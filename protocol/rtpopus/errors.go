package rtpopus

import "errors"

var (
	// ErrMalformed: the payload is not a valid Opus packet (empty, a frame
	// count code 3 without its count byte, no frames, or longer than 120 ms).
	ErrMalformed = errors.New("rtpopus: malformed packet")
)
