package device

import "errors"

var (
	// ErrBadConfig is returned by New for a Config it cannot run with.
	ErrBadConfig = errors.New("device: bad config")

	// ErrNoAcceptableMedia means the offer has neither PCMU audio nor H.264
	// packetization-mode 1 video over plain RTP; the INVITE gets 488.
	ErrNoAcceptableMedia = errors.New("device: no acceptable media in offer")

	// ErrBadOffer means the INVITE's body is not an SDP offer the device can
	// read; the INVITE gets 488 Not Acceptable Here.
	ErrBadOffer = errors.New("device: bad SDP offer")

	// ErrBadCapture means the embedded H.264 capture holds no usable RTP (it
	// is checked once, at New).
	ErrBadCapture = errors.New("device: bad H.264 capture")

	// ErrAlreadyStarted is returned by a second Start.
	ErrAlreadyStarted = errors.New("device: already started")

	// ErrClosed is returned by Start after Close.
	ErrClosed = errors.New("device: closed")

	// ErrNoPortPair means no even/odd RTP/RTCP port pair could be bound.
	ErrNoPortPair = errors.New("device: no free RTP/RTCP port pair")
)
