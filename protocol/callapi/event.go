package callapi

// Event names: the last path segment of the POST to the app (<app URL>/<EventName>) and the SSE
// "event:" field. They are the original's callApp event names.
const (
	// EventCallStatus carries the call object on every change of status, sipStatus or
	// rtmpStreamStatus.
	EventCallStatus = "CallStatusEvent"
	// EventRegistrationStatus carries the outcome of a REGISTER (REGISTERED, UNREGISTERED,
	// AUTHENTICATION_FAIL) for a call with sipRegisterRequired.
	EventRegistrationStatus = "RegistrationStatusEvent"
	// EventIncomingDTMF carries a digit the SIP device sent (RFC 4733 or INFO).
	EventIncomingDTMF = "IncomingDTMFEvent"
)

// Event is one notification, as delivered to the app and to SSE clients.
type Event struct {
	// ID numbers events in the order the dispatcher took them in, from 1; the SSE "id:" field
	// and the X-Sipcast-Event-Id header (a receiver can drop a retried duplicate by it).
	ID     uint64
	Name   string
	CallID string
	AppKey string
	// Body is the JSON payload: the call object for call events.
	Body []byte
	// Final marks the last event of a call (its final status).
	Final bool
}
