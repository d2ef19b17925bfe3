// Package udppoll reads many UDP sockets from one goroutine, in rounds: each round takes every
// datagram waiting on every socket (epoll and recvmmsg(2) on Linux), hands each socket's batch to
// its handler, and then the poller sleeps for an interval before the next round.
//
// Why: a call's RTP line receives 50 to 500 datagrams a second, and with a goroutine blocked on
// each socket every datagram costs a wake-up of that goroutine, a second read that finds the
// socket empty, and on a virtual machine a paravirtualised interrupt enable on each of those
// kernel entries; at 100 calls that was the larger part of a call's CPU (bench/RESULTS.md, issue
// 14). One poller that sleeps between rounds pays one wake-up and one read per socket that has
// data, whatever the number of datagrams. The price is the interval as added latency (10 ms by
// default, against a jitter buffer of 100 ms).
package udppoll

import (
	"errors"
	"net/netip"
	"time"
)

// MaxDatagram is the largest datagram read whole: RTP never exceeds the MTU, but a jumbo-frame
// LAN or loopback may carry more. A longer one arrives cut, with Truncated set.
const MaxDatagram = 9000

// DefaultInterval is the pause between rounds that sipcast's configuration defaults to.
const DefaultInterval = 10 * time.Millisecond

// MaxInterval bounds the pause: beyond it the latency added would be felt, and a socket's
// receive buffer would have to hold more.
const MaxInterval = 20 * time.Millisecond

// ErrInterval is returned by New for an interval outside 0..MaxInterval.
var ErrInterval = errors.New("udppoll: interval out of range")

// Datagram is one datagram of a batch. Buf aliases the poller's memory and is valid only while
// the handler runs: a handler that keeps it must copy it.
type Datagram struct {
	Buf       []byte
	From      netip.AddrPort // the sender; IPv4 senders of a dual-stack socket come as ::ffff:a.b.c.d
	Truncated bool           // longer than MaxDatagram and cut: never parse it
	// Age is how long the datagram waited in the socket before this round read it, from the
	// kernel's receive timestamp (0 where there is none): the receiver subtracts it from its
	// clock, so the pause between rounds never shows as jitter.
	Age time.Duration
}

// Handler takes the datagrams one socket had waiting, in arrival order. It runs on the poller's
// goroutine, between the other sockets' handlers, so it must not block: it copies what it keeps
// and posts it on. A panic in it is recovered and passed to the registration's onPanic; the
// poller and every other socket go on.
type Handler func(batch []Datagram)

// Registration is one socket read by a poller.
type Registration struct {
	p *Poller
	r *reg
}

// Remove stops reading the socket. Once it returns the handler is not running and will not run
// again, so the socket may be closed. Remove it before closing the socket: a socket closed
// first is dropped at the next round, but its number may meanwhile have gone to another one.
// Removing twice does nothing.
func (g *Registration) Remove() {
	if g != nil {
		g.p.remove(g.r)
	}
}

// deliver calls the handler, turning a panic into a call of onPanic.
func (r *reg) deliver(batch []Datagram) {
	defer func() {
		if v := recover(); v != nil && r.onPanic != nil {
			r.onPanic(v)
		}
	}()
	r.handle(batch)
}

// checkInterval validates New's argument. 0 is allowed: no pause, a round as soon as a datagram
// waits (the cost of a goroutine per socket, without its second read).
func checkInterval(d time.Duration) error {
	if d < 0 || d > MaxInterval {
		return ErrInterval
	}
	return nil
}
