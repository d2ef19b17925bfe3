package call

import (
	"time"

	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/actors/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/rtmpurl"
)

// Hangup ends the call: CANCEL before the answer, BYE after it. The actor stops itself once the
// SIP side is done (or its timeout passed) and every publisher is closed.
type Hangup struct {
	Reason string
}

// Updated is sent to the parent (the registry) with a fresh snapshot on every change of the
// call object: status, sipStatus, rtmpStreamStatus.
type Updated struct {
	Call callapi.Call
	// ByRequest tells, for an ended call, whether it ended on request (REST terminate).
	ByRequest bool
	// Width and Height are the video's picture size, 0 until known (for /push answers).
	Width, Height int
}

// AddPush starts one more RTMP target fed from the call's media (a /push/startup). The
// registry has checked its uniqueness and names it.
type AddPush struct {
	ID     string
	Target rtmpurl.Target
	Muted  bool
	Sound  *rtmp.Sound
}

// RemovePush stops a push; the registry learns of it by a final PushStatus.
type RemovePush struct {
	ID string
}

// PushAudio mutes, unmutes or changes the sound of one push.
type PushAudio struct {
	ID  string
	Set rtmp.SetAudio
}

// PushStatus is sent to the parent on every status change of a push, and with Ended once it is
// gone (removed, or its call ended).
type PushStatus struct {
	CallID string
	ID     string
	Status string
	Reason string
	Ended  bool
}

// ForcePanic makes the actor panic inside Receive, for fault-injection tests.
type ForcePanic struct{}

// Self-messages from the goroutines the actor owns.
type (
	provisional struct {
		code   int
		reason string
	}
	answered struct {
		sess sipua.Session
		sdp  []byte
		at   time.Time
	}
	inviteFailed struct {
		sess sipua.Session // nil when the INVITE could not even be sent
		err  error
	}
	remoteHungUp struct{}
	byeDone      struct {
		err error
	}
)
