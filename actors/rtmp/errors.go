package rtmp

import "errors"

var (
	// ErrRefused: the server closed the connection or answered with an error during connect or
	// publish — typically an unknown application or a stream name already in use. Retrying
	// will not help, so it fails the publisher at once.
	ErrRefused = errors.New("rtmp: server refused the publish")
	// ErrConnectTimeout: no answer within the connect timeout.
	ErrConnectTimeout = errors.New("rtmp: connect timed out")
	// ErrQueueFull: the server does not keep up; frames were dropped.
	ErrQueueFull = errors.New("rtmp: write queue full")
	// ErrGaveUp: reconnecting failed for longer, or more often, than configured.
	ErrGaveUp = errors.New("rtmp: gave up reconnecting")
)

// ErrPanicked: a goroutine of the publisher (connect or writer) panicked, most likely in the
// RTMP library on data it could not handle. The actor treats it as a lost connection: it
// reconnects, and the status says RTMP_CONNECTION_LOST meanwhile.
var ErrPanicked = errors.New("rtmp: publisher goroutine panicked")
