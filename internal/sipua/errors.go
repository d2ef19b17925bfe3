package sipua

import (
	"errors"

	"github.com/emiago/sipgo"
)

var (
	// ErrListen: the SIP socket could not be bound (port in use, address not local).
	ErrListen = errors.New("sipua: cannot listen")
	// ErrTimeout: no final answer to the INVITE in time (Timer B, or the INVITE timeout).
	ErrTimeout = errors.New("sipua: no answer")
	// ErrForceCancel, as the cause of cancelling an INVITE's context, abandons the INVITE without
	// a CANCEL: for when no provisional came yet, so CANCEL is not allowed.
	ErrForceCancel = sipgo.WaitAnswerForceCancelErr
	// ErrTransport: a sipTransport this UA cannot use (unknown, or TLS without configuration).
	ErrTransport = errors.New("sipua: transport not available")
	// ErrBadProxy: an outbound proxy that is not host[:port].
	ErrBadProxy = errors.New("sipua: bad outbound proxy")
	// ErrAuth: a digest challenge we cannot answer (no password, an algorithm or qop we lack).
	ErrAuth = errors.New("sipua: cannot authenticate")
	// ErrNoDialog: an in-dialog request (INFO) asked of a session without a dialog yet.
	ErrNoDialog = errors.New("sipua: no dialog")
)
