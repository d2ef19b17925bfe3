// Package jitter is the receive-side RTP jitter buffer (the spec's
// rtp_in_buffer): it puts packets back in sequence order, drops duplicates and
// packets that come too late, and tells which packets are missing (so a
// receiver can ask for them again with a NACK) and which it gave up on (so it
// can ask for a key frame instead).
//
// It adds no delay while packets arrive in order: each is released at once.
// Only behind a gap do later packets wait, at most Depth, for the missing one;
// then the gap is given up and reported as lost. A packet older than what was
// already released is dropped, so what comes out never goes back in sequence
// (nor, for a sender whose timestamps rise with its sequence numbers, in time).
//
// The Buffer is a plain single-threaded struct with the clock injected: every
// call takes the current time, nothing starts a goroutine or a timer. The
// owner asks Deadline when to call Expire next.
package jitter
