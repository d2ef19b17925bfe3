package frame

import "time"

// RawAudio is the audio payload of one RTP packet of the device, in order, placed on the call's
// timeline. Receivers must not modify Data.
type RawAudio struct {
	PTS  time.Duration
	Data []byte
}
