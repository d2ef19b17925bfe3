package rtmpserver

import "errors"

var (
	// ErrStreamBusy is returned for a publisher that asks for an app/stream another
	// publisher already holds. The newcomer is told NetStream.Publish.BadName, as
	// nginx-rtmp does, and disconnected; the first publisher is untouched.
	ErrStreamBusy = errors.New("rtmpserver: stream is already being published")

	// ErrBadStreamName is returned when a play or publish URL has no app or no
	// stream name (rtmp://host/app/stream is required).
	ErrBadStreamName = errors.New("rtmpserver: URL must name an app and a stream")

	// ErrUnsupportedCodec is returned for a publisher whose tracks use a codec the
	// relay does not forward (it forwards H.264, H.265, MPEG-4 Audio, G.711, Opus).
	ErrUnsupportedCodec = errors.New("rtmpserver: unsupported codec")

	// ErrPublisherGone ends a player whose publisher disconnected. Players are not
	// kept for a later publisher: a new publication may carry other tracks.
	ErrPublisherGone = errors.New("rtmpserver: publisher disconnected")

	// ErrPlayerGone ends a player that closed its connection.
	ErrPlayerGone = errors.New("rtmpserver: player disconnected")

	// ErrAlreadyStarted is returned by a second call to Start.
	ErrAlreadyStarted = errors.New("rtmpserver: already started")

	// ErrClosed is returned by Start after Close, and ends the connections that
	// Close cut.
	ErrClosed = errors.New("rtmpserver: server closed")
)
