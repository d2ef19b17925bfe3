package callapi

// Call statuses, as the original's CallStatusEvent names them.
const (
	// StatusPending: accepted, no SIP request sent yet.
	StatusPending = "PENDING"
	// StatusTrying: INVITE sent (100 Trying or no answer yet).
	StatusTrying = "TRYING"
	// StatusRing: 180 Ringing.
	StatusRing = "RING"
	// StatusSessionProgress: 183 Session Progress.
	StatusSessionProgress = "SESSION_PROGRESS"
	// StatusEstablished: 2xx answered and ACKed.
	StatusEstablished = "ESTABLISHED"
	// StatusHold: the callee put the call on hold.
	StatusHold = "HOLD"
	// StatusBusy: 486 Busy Here or 600 Busy Everywhere.
	StatusBusy = "BUSY"
	// StatusFailed: any other failure; the call object's reason says why.
	StatusFailed = "FAILED"
	// StatusFinish: the call ended normally (either side hung up).
	StatusFinish = "FINISH"
)

// RTMP stream statuses.
const (
	RTMPStreamWait       = "RTMP_STREAM_WAIT"
	RTMPStreamActive     = "RTMP_STREAM_ACTIVE"
	RTMPConnectionLost   = "RTMP_CONNECTION_LOST"
	RTMPConnectionFailed = "RTMP_CONNECTION_FAILED"
)

// Ended reports whether status is final: the call will not change any more.
func Ended(status string) bool {
	switch status {
	case StatusBusy, StatusFailed, StatusFinish:
		return true
	}
	return false
}
