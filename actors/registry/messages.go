package registry

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// Code is the outcome of a request to the registry. Responses carry a code and a message rather
// than an error value, so they could cross a process boundary later.
type Code int

const (
	OK Code = iota
	Conflict
	NotFound
	// Full: this node is at its MaxCalls.
	Full
	// Unavailable: the cluster could not be asked, or this node lost its lease.
	Unavailable
)

// StartCall asks the registry to reserve the call's unique keys and start its actor.
type StartCall struct {
	Spec callapi.Startup
	// Deadline is when the asker stops waiting for the answer (zero: never). A request the
	// registry reaches only after it is refused unstarted: nobody would learn of the call, which
	// would run without a client that knows it (found at 300 calls on a saturated box).
	Deadline time.Time
	// Token names the request, for AbandonStart (zero: never abandoned).
	Token uint64
}

// AbandonStart is sent by an asker that gave up waiting for its StartCall's answer: the call
// that request started, if it did, ends, and is not listed (its client got an error). A call of
// the same callId that another request started is left alone.
type AbandonStart struct {
	CallID string
	Token  uint64
}

// StartCallResponse answers StartCall with the new call object, or why not.
type StartCallResponse struct {
	Code    Code
	Message string
	Call    callapi.Call
}

// FindCalls asks for the calls whose call-object fields equal every entry of Filter (all calls
// when Filter is empty).
type FindCalls struct {
	Filter map[string]any
}

// FindCallsResponse lists the matching calls, oldest first.
type FindCallsResponse struct {
	Calls []callapi.Call
}

// TerminateCall asks for a call's end; the answer comes once its actor has stopped: BYE (or
// CANCEL) done and every publisher closed.
type TerminateCall struct {
	CallID string
}

// TerminateCallResponse answers TerminateCall.
type TerminateCallResponse struct {
	Code    Code
	Message string
}

// expire drops an ended call's record once it has been visible long enough.
type expire struct {
	callID string
	seq    uint64
}

// LookupCall asks which actor serves a live call: for diagnostics and fault-injection tests.
type LookupCall struct {
	CallID string
}

// LookupCallResponse answers LookupCall; PID is nil when no live call has that id.
type LookupCallResponse struct {
	PID *actor.PID
}
