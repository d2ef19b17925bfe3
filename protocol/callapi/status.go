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

// EndedRTMP is the RTMP status a publisher ends with when its call ends, whatever it said
// last: the stream is unpublished with the call, so a status that still claims a live or
// coming stream would lie (issue #12: a BUSY call kept RTMP_STREAM_ACTIVE). A connection that
// was made (ACTIVE, or LOST while reconnecting) ends RTMP_CONNECTION_LOST; one still being set
// up (WAIT) never will be: RTMP_CONNECTION_FAILED. FAILED stays; "" (no RTMP) stays "".
func EndedRTMP(status string) string {
	switch status {
	case RTMPStreamActive, RTMPConnectionLost:
		return RTMPConnectionLost
	case RTMPStreamWait:
		return RTMPConnectionFailed
	}
	return status
}

// Ended reports whether status is final: the call will not change any more.
func Ended(status string) bool {
	switch status {
	case StatusBusy, StatusFailed, StatusFinish:
		return true
	}
	return false
}
