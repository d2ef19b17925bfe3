package callapi

// Registration statuses of the RegistrationStatusEvent, for calls with sipRegisterRequired.
const (
	// RegistrationRegistered: the registrar accepted the binding (first REGISTER or a refresh).
	RegistrationRegistered = "REGISTERED"
	// RegistrationUnregistered: the binding is gone: removed at the call's end, or refused for a
	// reason other than credentials (sipStatus and reason say which).
	RegistrationUnregistered = "UNREGISTERED"
	// RegistrationAuthFail: the registrar refused our credentials.
	RegistrationAuthFail = "AUTHENTICATION_FAIL"
)

// Registration is the body of a RegistrationStatusEvent.
type Registration struct {
	NodeID    *string `json:"nodeId"`
	AppKey    *string `json:"appKey"`
	CallID    string  `json:"callId"`
	Status    string  `json:"status"`
	SIPStatus *int    `json:"sipStatus"`
	SIPLogin  string  `json:"sipLogin"`
	SIPDomain string  `json:"sipDomain"`
	// Expires is the binding's lifetime granted by the registrar, in seconds (0 when none).
	Expires int     `json:"expires"`
	Reason  *string `json:"reason"`
}

// DTMF types of an IncomingDTMFEvent: how the device sent the digit.
const (
	DTMFTypeRFC2833 = "RFC2833"
	DTMFTypeInfo    = "INFO"
)

// IncomingDTMF is the body of an IncomingDTMFEvent: one digit the SIP device sent.
type IncomingDTMF struct {
	NodeID *string `json:"nodeId"`
	AppKey *string `json:"appKey"`
	CallID string  `json:"callId"`
	DTMF   string  `json:"dtmf"`
	Type   string  `json:"type"`
	// Duration is the tone's length in milliseconds, 0 when the device did not say.
	Duration int `json:"duration"`
}
