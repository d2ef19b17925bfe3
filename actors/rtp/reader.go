package rtp

import (
	"errors"
	"net"
	"time"
)

// maxDatagram is the largest UDP payload read: RTP over Ethernet never exceeds the MTU, but a
// jumbo-frame LAN or loopback may carry more, and a truncated packet would be misread.
const maxDatagram = 9000

// readLoop reads one socket until it is closed and reports each datagram to the actor. Each
// datagram is copied into a buffer of its own size because the actor keeps it until it has handled
// the message.
func (a *Actor) readLoop(conn *net.UDPConn, isRTCP bool) {
	defer a.readers.Done()
	defer a.recoverGoroutine("reader")
	root := a.system.Root
	scratch := make([]byte, maxDatagram)
	for {
		n, from, err := conn.ReadFromUDP(scratch)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				root.Send(a.self, &readFailed{rtcp: isRTCP, err: err})
			}
			return
		}
		buf := make([]byte, n)
		copy(buf, scratch[:n])
		if isRTCP {
			root.Send(a.self, &rtcpRead{buf: buf})
			continue
		}
		root.Send(a.self, &packetRead{buf: buf, arrival: a.cfg.Now(), from: from})
	}
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

// recoverGoroutine turns a panic in an owned goroutine into a logged error instead of a crashed
// process: protoactor only supervises panics inside Receive.
func (a *Actor) recoverGoroutine(name string) {
	if r := recover(); r != nil {
		a.log.Error("goroutine panicked", "goroutine", name, "panic", r)
	}
}
