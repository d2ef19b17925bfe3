package notify

import "github.com/sipcast/sipcast/protocol/callapi"

// Event names: the callApp event names of the REST contract.
const (
	EventCallStatus         = callapi.EventCallStatus
	EventRegistrationStatus = callapi.EventRegistrationStatus
	EventIncomingDTMF       = callapi.EventIncomingDTMF
)

// DefaultAppKey names the app of a call whose startup named none.
const DefaultAppKey = "defaultApp"

// Event is one notification, as delivered to the app and to SSE clients.
type Event = callapi.Event
