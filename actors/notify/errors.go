package notify

import "errors"

var (
	// ErrRejected: the app answered with a status that retrying will not change (4xx but 408
	// and 429, or a redirect).
	ErrRejected = errors.New("notify: app rejected the notification")
	// ErrUnavailable: the app could not be reached or answered 408, 429 or 5xx; worth a retry.
	ErrUnavailable = errors.New("notify: app unavailable")
	// ErrNotStarted: the dispatcher is not running (yet, or any more).
	ErrNotStarted = errors.New("notify: dispatcher not started")
)
