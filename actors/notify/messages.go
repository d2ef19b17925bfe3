package notify

import (
	"github.com/sipcast/sipcast/protocol/callapi"
)

// CallChanged is a fresh snapshot of a call; the dispatcher notifies it when its status,
// sipStatus or rtmpStreamStatus differs from the last one it notified for that call.
type CallChanged struct {
	Call callapi.Call
}

// Publish asks for any other event (e.g. RegistrationStatusEvent) about a call; Body is
// marshalled to JSON. Events of one CallID are delivered in the order they were published.
type Publish struct {
	Event  string
	CallID string
	AppKey string // "" → DefaultAppKey
	Body   any
}

// Flush asks the dispatcher to deliver what it holds, without further backoff, and answers
// with FlushResponse once nothing is queued: the last step of a graceful shutdown.
type Flush struct{}

// FlushResponse answers Flush once nothing is queued.
type FlushResponse struct{}

// Self-messages between the dispatcher, its lanes and their goroutines.
type (
	// deliver hands a lane one event for url.
	deliver struct {
		ev  Event
		url string
	}
	// laneProgress tells the dispatcher a lane finished n events (delivered or dropped).
	laneProgress struct {
		callID string
		n      int
	}
	// flushNow tells a lane to stop waiting between attempts.
	flushNow struct{}
	// attemptDone reports one HTTP attempt.
	attemptDone struct {
		gen int
		err error
	}
	// retryNow is the backoff timer firing.
	retryNow struct{ gen int }
)
