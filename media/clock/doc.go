// Package clock places a call's media on one timeline: RTP timestamps of
// each stream become durations since the call's zero instant, and the
// decode timestamps handed to one FLV writer never go backwards.
//
// Everything here is pure: the caller passes arrival times in (the clock is
// injected), nothing starts a goroutine or reads the wall clock, and no type
// is safe for concurrent use, since each belongs to one stream's owner.
package clock
