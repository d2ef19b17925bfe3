package transcode

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig: a configuration the transcoders cannot honour.
	ErrConfig = errors.New("transcode: invalid config")
	// ErrInit wraps a libav failure while opening a decoder or an encoder
	// (for instance a libavcodec built without libx264).
	ErrInit = errors.New("transcode: init failed")
	// ErrDecode: the decoder rejected a packet or frame (corrupt, or an inter
	// frame without its reference). The stream goes on; a video caller waits
	// for the next key frame.
	ErrDecode = errors.New("transcode: decode failed")
	// ErrEncode wraps an encoder failure; the transcoder should be replaced.
	ErrEncode = errors.New("transcode: encode failed")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("transcode: closed")
)

// AVError is a negative error code from libavcodec or libavutil (an
// AVERROR), libopus or libspeex, wrapped in the errors above.
type AVError struct {
	Code int    // negative AVERROR (or libopus/libspeex) value
	Op   string // the C call that failed
	Msg  string // av_strerror's text
}

func (e *AVError) Error() string {
	return fmt.Sprintf("%s: %s (%d)", e.Op, e.Msg, e.Code)
}
