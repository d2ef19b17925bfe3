package registry

import (
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
