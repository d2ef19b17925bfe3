package frame

import "time"

// EncodedVideo is one video frame of a codec RTMP cannot carry (VP8), on the call's timeline,
// from the RTP actor to the call's video transcoder. Data is the receiver's to keep.
type EncodedVideo struct {
	PTS  time.Duration
	Data []byte
	// Key is true for a key frame; Width and Height are its picture size (0 otherwise).
	Key           bool
	Width, Height int
}

// EncodedAudio is one RTP packet of an audio codec RTMP cannot carry (Opus, Speex), on the
// call's timeline, from the RTP actor to the call's audio transcoder.
type EncodedAudio struct {
	PTS time.Duration
	// Frames are what the decoder takes one at a time: the Opus packet, or each Speex frame.
	Frames [][]byte
	// Samples is the packet's length at the RTP clock rate.
	Samples int
	// Lost is how many packets the jitter buffer gave up just before this one: the transcoder
	// conceals the hole (Opus FEC or PLC, Speex PLC) instead of leaving it silent.
	Lost int
}

// DeviceKeyframe asks the video RTP actor for a key frame from the device itself (RTCP PLI/FIR):
// sent by a transcoder whose decoder lost its reference or (re)started. KeyframeNeeded, from a
// publisher, goes to the transcoder instead, which makes an IDR picture of its own.
type DeviceKeyframe struct{}
