package rtp

import "errors"

var (
	// ErrNoPorts: every port pair of the configured range is in use.
	ErrNoPorts = errors.New("rtp: no free port pair in the configured range")
	// ErrBadRange: the configured RTP port range is unusable.
	ErrBadRange = errors.New("rtp: bad port range")
	// ErrUnsupportedCodec: the SDP answer chose a codec this actor cannot receive.
	ErrUnsupportedCodec = errors.New("rtp: unsupported codec")
	// ErrNoDTMF: telephone events could not be sent (not an audio line, bad digits, socket error).
	ErrNoDTMF = errors.New("rtp: DTMF not sent")
)
