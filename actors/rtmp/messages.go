package rtmp

import "github.com/sipcast/sipcast/media/frame"

// StatusChanged is sent to the parent (the call) on every transition of the publisher:
// RTMP_STREAM_WAIT → RTMP_STREAM_ACTIVE ⇄ RTMP_CONNECTION_LOST → RTMP_CONNECTION_FAILED.
type StatusChanged struct {
	// ID names the publisher within its call: "" for the call's own rtmpUrl, the
	// mediaSessionId for a push.
	ID     string
	Status string
	// Reason says why, for FAILED and LOST; empty otherwise.
	Reason string
	// Reconnects counts the successful reconnections so far.
	Reconnects int
}

// SetAudio changes what the publisher sends as audio: the call's own, silence (muted), or a
// sound file. Nil fields are left as they are.
type SetAudio struct {
	Muted *bool
	// Sound replaces the call's audio while set; a Sound with an empty Samples turns it off.
	Sound *Sound
}

// Sound is decoded PCM to play instead of the call's audio.
type Sound = frame.Sound

// ForcePanic makes the actor panic inside Receive, for fault-injection tests.
type ForcePanic struct{}

// Self-messages from the goroutines and timers the actor owns.
type (
	connected     struct{ gen int }
	connectFailed struct {
		gen int
		err error
	}
	writeFailed struct {
		gen int
		err error
	}
	retry struct{ gen int }
)
