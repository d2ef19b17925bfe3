package rtpvp8

import "errors"

var (
	// ErrMalformed: the payload descriptor is truncated or announces fields
	// that are not there, or a key frame's header is too short or announces
	// a picture of no size or larger than MaxPictureSide.
	ErrMalformed = errors.New("rtpvp8: malformed payload")
	// ErrFrameLost: a packet of the frame being reassembled went missing (a
	// sequence gap, or the frame's first packet never came), so the frame was
	// dropped. Callers typically ask the sender for a key frame (PLI).
	ErrFrameLost = errors.New("rtpvp8: packet lost, frame dropped")
	// ErrFrameTooBig: the frame grew past MaxFrameSize. It is dropped; its
	// remaining packets are ignored.
	ErrFrameTooBig = errors.New("rtpvp8: frame too big")
)
