package aac

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidConfig is returned by NewEncoder for a Config that the
	// encoder cannot honour (unsupported rate, channel count or bitrate).
	ErrInvalidConfig = errors.New("aac: invalid config")

	// ErrEncoderInit wraps a libavcodec or libswresample failure while
	// setting an encoder up. The wrapped AVError carries the code.
	ErrEncoderInit = errors.New("aac: encoder init failed")

	// ErrEncode wraps a libavcodec or libswresample failure while encoding.
	// The encoder's state is then undefined: close it and start a new one.
	ErrEncode = errors.New("aac: encode failed")

	// ErrClosed is returned by Encode after Close.
	ErrClosed = errors.New("aac: encoder closed")
)

// AVError is a negative AVERROR code from libavcodec, libavutil or
// libswresample, wrapped inside ErrEncoderInit and ErrEncode so callers can
// tell, say, ENOMEM from a bad parameter with errors.As.
type AVError struct {
	Code int    // negative AVERROR value
	Op   string // the C call that failed
	Msg  string // av_strerror's text
}

func (e *AVError) Error() string {
	return fmt.Sprintf("%s: %s (%d)", e.Op, e.Msg, e.Code)
}
