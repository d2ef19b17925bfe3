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

var (
	// ErrPanicked: a goroutine the actor owns (a socket reader) panicked; the actor fails on the
	// report and its supervisor restarts it with the same port.
	ErrPanicked = errors.New("rtp: goroutine panicked")
	// ErrStranger: an RTP packet came from a source that is neither the device's address in the
	// SDP nor the source latched on; it is dropped and counted, never depacketised.
	ErrStranger = errors.New("rtp: packet from an unexpected source")
)
