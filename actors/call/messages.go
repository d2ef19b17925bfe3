package call

import (
	"time"

	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/internal/sipua"
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

// SendDTMF asks the call to play digits (dtmf.Normalize'd) as Type: DTMFRFC2833 in the audio
// RTP or DTMFInfo in SIP INFO. SendDTMFResponse answers once every digit was sent; the digits of
// a request wait for those of earlier ones.
type SendDTMF struct {
	Digits string
	Type   string
}

// SendDTMFResponse answers SendDTMF.
type SendDTMFResponse struct {
	Code    DTMFCode
	Message string
	// Type is how the digits went (DTMFSent): RFC2833, INBAND or INFO.
	Type string
}

// DTMFCode is the outcome of a SendDTMF.
type DTMFCode int

const (
	DTMFSent DTMFCode = iota
	// DTMFNotEstablished: the call is not (or no longer) established.
	DTMFNotEstablished
	// DTMFNotNegotiated: no way to the device for the type asked: RFC2833 without
	// telephone-event, tones, nor INFO; INBAND on a line sipcast sends no audio on.
	DTMFNotNegotiated
	// DTMFFailed: the device refused, or the digits could not be sent.
	DTMFFailed
)

// dtmfDone reports the end of an INFO series run by a goroutine of the actor.
type dtmfDone struct {
	err  error
	info string // the INFO content type the series ended with
}

// DTMFReceived is sent to the parent (the registry) for every digit the device sends, in RFC 4733
// events or SIP INFO; the registry publishes it as an IncomingDTMFEvent.
type DTMFReceived struct {
	DTMF callapi.IncomingDTMF
}

// RegistrationChanged is sent to the parent on every outcome of a REGISTER of a call with
// sipRegisterRequired; the registry publishes it as a RegistrationStatusEvent. It may come after
// the call's final snapshot: the unregistration ends after the call.
type RegistrationChanged struct {
	Registration callapi.Registration
}

// Self-messages of the dialog's life after the answer, and of the registration before it.
type (
	// inDialog carries a request of the callee (re-INVITE, UPDATE, INFO, ACK with SDP).
	inDialog struct {
		req *sipua.Request
	}
	// timerFired is a session-timer, refresh-retry or registration timer; gen tells stale ones.
	timerFired struct {
		kind timerKind
		gen  int
	}
	// refreshDone reports a target refresh of ours (session timer).
	refreshDone struct {
		method string
		reply  *sipua.Reply
		err    error
	}
	// registerDone reports a REGISTER (first, refresh or removal).
	registerDone struct {
		expires int // what was asked
		res     sipua.RegisterResult
		err     error
	}
)
