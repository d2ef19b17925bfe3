package harness

import "errors"

var (
	// ErrBadConfig is returned by Run for a configuration it cannot run.
	ErrBadConfig = errors.New("harness: bad config")
	// ErrNotReady is wrapped when a child process (sipcast, a device,
	// ffmpeg) did not become ready in time or exited while starting.
	ErrNotReady = errors.New("harness: process not ready")
	// ErrHTTP is wrapped when the REST API answers with an unexpected status.
	ErrHTTP = errors.New("harness: unexpected REST answer")
	// ErrCallFailed is wrapped when a call did not reach ESTABLISHED and
	// RTMP_STREAM_ACTIVE (or its ffmpeg relay did not start).
	ErrCallFailed = errors.New("harness: call failed")
)
