package call

import (
	"errors"

	"github.com/sipcast/sipcast/protocol/callapi"
)

var (
	// ErrBadAnswer: the callee's SDP answer cannot be used (unparsable, or no codec we offered).
	ErrBadAnswer = errors.New("call: unusable SDP answer")
	// ErrNoAnswer: nobody answered within the INVITE timeout.
	ErrNoAnswer = errors.New("call: no answer")
	// ErrActorFailed: the call's actor crashed and was stopped by its supervisor.
	ErrActorFailed = errors.New("call: internal failure")
	// ErrNotEstablished: the request needs an established call (DTMF before the answer).
	ErrNotEstablished = callapi.ErrNotEstablished
	// ErrDTMFNotNegotiated: the digits cannot go as asked (see callapi.ErrDTMFNotNegotiated).
	ErrDTMFNotNegotiated = callapi.ErrDTMFNotNegotiated
	// ErrDTMFFailed: the device refused the DTMF, or it could not be sent.
	ErrDTMFFailed = callapi.ErrDTMFFailed
	// ErrMediaTimeout: the device sent neither RTP nor RTCP for the media timeout.
	ErrMediaTimeout = errors.New("media timeout")
	// ErrSessionExpired: the callee, refresher of the RFC 4028 session timer, did not refresh.
	ErrSessionExpired = errors.New("session expired")
	// ErrRegistration: the REGISTER a call with sipRegisterRequired needs failed.
	ErrRegistration = errors.New("registration failed")
	// ErrPanicked: a goroutine of the call (a SIP transaction) panicked; the transaction counts
	// as failed with this error.
	ErrPanicked = errors.New("call: goroutine panicked")
)
