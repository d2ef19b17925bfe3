package rtmp

// StatusChanged is sent to the parent (the call) on every transition of the publisher:
// RTMP_STREAM_WAIT → RTMP_STREAM_ACTIVE, RTMP_CONNECTION_FAILED, RTMP_CONNECTION_LOST.
type StatusChanged struct {
	Status string
	// Reason says why, for FAILED and LOST; empty otherwise.
	Reason string
}

// ForcePanic makes the actor panic inside Receive, for fault-injection tests.
type ForcePanic struct{}

// Self-messages from the goroutines the actor owns.
type (
	connected     struct{}
	connectFailed struct {
		err error
	}
	writeFailed struct {
		err error
	}
)
