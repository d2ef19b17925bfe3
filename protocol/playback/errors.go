// Package playback holds the contract between the REST front end and the engine for watching
// calls (WHEP, LL-HLS): the sentinel errors the engine returns and the REST layer maps to HTTP
// statuses, so neither imports the other.
package playback

import "errors"

var (
	// ErrNoStream: no live call has that toStream (never had, or it ended) → 404.
	ErrNoStream = errors.New("no live stream")
	// ErrNoMedia: the call is live but its media is not known yet (still ringing) → 404.
	ErrNoMedia = errors.New("the call has no media yet")
	// ErrNoSession: a WHEP session id that is not open (never was, or ended) → 404.
	ErrNoSession = errors.New("no such session")
	// ErrBadOffer: the WHEP body is not an SDP offer, or offers no media → 400.
	ErrBadOffer = errors.New("bad offer")
	// ErrCodecMismatch: the offer's codecs match none of the call's → 400.
	ErrCodecMismatch = errors.New("no codec in common")
	// ErrTooManyViewers: the stream has SIPCAST_MAX_VIEWERS viewers already → 503.
	ErrTooManyViewers = errors.New("too many viewers")
	// ErrUnavailable: playback is off, or WebRTC could not start (its UDP port was taken) → 503.
	ErrUnavailable = errors.New("playback unavailable")
)
