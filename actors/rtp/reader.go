package rtp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/sipcast/sipcast/internal/metrics"
)

// maxDatagram is the largest UDP payload read: RTP over Ethernet never exceeds the MTU, but a
// jumbo-frame LAN or loopback may carry more, and a truncated packet would be misread.
const maxDatagram = 9000

// Sizes of the reader's allocation blocks (see readArena).
const (
	// arenaBytes holds about 13 video packets (ffmpeg-sized, ≤ 1200 bytes) or 90 G.711 ones. A
	// datagram longer than a quarter of it gets an allocation of its own, so a block is never
	// mostly wasted.
	arenaBytes = 16 << 10
	// arenaMsgs is the packetRead messages cut from one allocation.
	arenaMsgs = 32
)

// readArena cuts the reader's per-datagram memory (the copy of the datagram and its message) out
// of larger blocks: one allocation per arenaBytes of datagrams and one per arenaMsgs messages,
// instead of two per datagram, on the path every RTP packet of every call takes. A block is never
// reused: the garbage collector frees it once every message cut from it is unreachable, so the
// actor may keep a message for as long as it likes. Not safe for concurrent use: one per reader.
type readArena struct {
	bytes []byte
	msgs  []packetRead
}

// copyOf returns a copy of b. Its capacity ends with it, so a holder that appends to it gets a new
// array rather than overwriting the next datagram.
func (r *readArena) copyOf(b []byte) []byte {
	if len(b) > arenaBytes/4 {
		return append([]byte(nil), b...)
	}
	if len(b) > cap(r.bytes)-len(r.bytes) {
		r.bytes = make([]byte, 0, arenaBytes)
	}
	start := len(r.bytes)
	r.bytes = append(r.bytes, b...)
	return r.bytes[start:len(r.bytes):len(r.bytes)]
}

// msg returns a zeroed message.
func (r *readArena) msg() *packetRead {
	if len(r.msgs) == 0 {
		r.msgs = make([]packetRead, arenaMsgs)
	}
	m := &r.msgs[0]
	r.msgs = r.msgs[1:]
	return m
}

// readLoop reads one socket until it is closed and reports each datagram to the actor. Each
// datagram is copied out of the read buffer because the actor keeps it until it has handled the
// message.
//
// This runs once per RTP packet of every call, so it allocates as little as it can: datagram
// copies and messages come from a readArena, and the sender's address is read as a
// netip.AddrPort (ReadFromUDP allocates two objects per datagram) and turned into a *net.UDPAddr
// (which the actor logs with the first packet) only when it differs from the previous datagram's.
func (a *Actor) readLoop(conn *net.UDPConn, isRTCP bool) {
	defer a.readers.Done()
	defer a.recoverGoroutine("reader", func(err error) any { return &readFailed{rtcp: isRTCP, err: err} })
	root := a.system.Root
	scratch := make([]byte, maxDatagram)
	var arena readArena
	var last netip.AddrPort
	for {
		n, from, err := conn.ReadFromUDPAddrPort(scratch)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				root.Send(a.self, &readFailed{rtcp: isRTCP, err: err})
			}
			return
		}
		if isRTCP {
			// A few reports a second at most: a fresh address each is cheap.
			root.Send(a.self, &rtcpRead{buf: append([]byte(nil), scratch[:n]...), from: unmapped(from)})
			continue
		}
		m := arena.msg()
		m.buf, m.arrival = arena.copyOf(scratch[:n]), a.cfg.Now()
		if from != last {
			m.from, last = unmapped(from), from
		}
		root.Send(a.self, m)
	}
}

// unmapped is a datagram's source as a *net.UDPAddr; unmapped because a dual-stack socket
// reports IPv4 senders as ::ffff:a.b.c.d.
func unmapped(from netip.AddrPort) *net.UDPAddr {
	return net.UDPAddrFromAddrPort(netip.AddrPortFrom(from.Addr().Unmap(), from.Port()))
}

// tickLoop drives receiver reports and keyframe retries.
func (a *Actor) tickLoop(stop <-chan struct{}) {
	t := time.NewTicker(keyframeRetry)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			a.system.Root.Send(a.self, &reportTick{})
		}
	}
}

// recoverGoroutine turns a panic in an owned goroutine into a message to the actor (report
// builds it): protoactor supervises panics inside Receive only, and a reader that died silently
// would leave the line deaf. The actor fails on the message and its supervisor restarts it,
// which reopens the port and starts fresh readers.
func (a *Actor) recoverGoroutine(name string, report func(err error) any) {
	r := recover()
	if r == nil {
		return
	}
	metrics.GoroutinePanics.With("rtp_" + name).Inc()
	a.log.Error("goroutine panicked", "goroutine", name, "panic", r, "stack", string(debug.Stack()))
	a.system.Root.Send(a.self, report(fmt.Errorf("%w: %s: %v", ErrPanicked, name, r)))
}
