package sdp

import "errors"

var (
	// ErrMalformed: the SDP does not parse, or a line the gateway relies on
	// (c=, m= formats, a=rtpmap, a=rtcp, sprop-parameter-sets) is broken.
	ErrMalformed = errors.New("sdp: malformed")
	// ErrNoMedia: the answer accepts neither an audio nor a video stream
	// (no m= line, or every one rejected with port 0).
	ErrNoMedia = errors.New("sdp: no usable media stream")
	// ErrTooLarge: the SDP body is larger than MaxSDPSize.
	ErrTooLarge = errors.New("sdp: too large")
	// ErrTooManyCodecs: an m= line lists more than MaxCodecs formats.
	ErrTooManyCodecs = errors.New("sdp: too many codecs")
	// ErrInvalidOffer: the Offer's fields cannot produce a valid SDP
	// (bad address, port out of range, spaces in a token).
	ErrInvalidOffer = errors.New("sdp: invalid offer")
)
