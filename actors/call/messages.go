package call

import (
	"time"

	"github.com/sipcast/sipcast/actors/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
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
	// By tells, for an ended call, whether it ended on request (REST terminate) or by itself.
	ByRequest bool
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
