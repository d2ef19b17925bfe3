//go:build linux

package udppoll

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sipcast/sipcast/internal/metrics"
)

// batchSize is the most datagrams one recvmmsg takes from a socket; a socket that had more is
// read again in the same round.
const batchSize = 16

// maxReadsPerRound bounds the reads of one socket in one round, so that a flood on one socket
// cannot hold the others' delivery back; what is left waits for the next round.
const maxReadsPerRound = 4

// Poller reads its registered sockets. Its goroutine runs while it has registrations and ends
// with the last, so an idle process (and a test's goroutine count) has none.
type Poller struct {
	interval time.Duration

	// mu guards everything below and is held while a round reads and delivers, so that Remove,
	// which takes it, returns only between rounds.
	mu      sync.Mutex
	regs    map[int32]*reg
	epfd    int // the epoll instance of the running loop; -1 when none runs
	wakefd  int // an eventfd in the epoll set: written to wake the loop to end
	running bool

	// The loop's buffers: one set for every socket, since each batch is handed on (and copied
	// by its handler) before the next socket is read.
	bufs  [][]byte
	hdrs  []unix.Mmsghdr
	names []unix.RawSockaddrInet6 // large enough for an IPv4 sender too
	ctrl  []byte                  // each header's room for one SCM_TIMESTAMPNS message
	got   []Datagram
	zones zoneCache
}

type reg struct {
	raw     syscall.RawConn
	fd      int32
	handle  Handler
	onPanic func(any)
	readFn  func(fd uintptr) // read as a func value made once: no allocation per read
	n       int              // datagrams the last read took
	p       *Poller
}

// New makes a poller that pauses interval between rounds (0: none).
func New(interval time.Duration) (*Poller, error) {
	if err := checkInterval(interval); err != nil {
		return nil, err
	}
	return &Poller{interval: interval, regs: map[int32]*reg{}, epfd: -1, wakefd: -1}, nil
}

// Add starts reading conn and handing its datagrams to h. onPanic (may be nil) is called, on
// the poller's goroutine, with what h panicked with.
func (p *Poller) Add(conn *net.UDPConn, h Handler, onPanic func(any)) (*Registration, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int32
	if err := raw.Control(func(f uintptr) { fd = int32(f) }); err != nil {
		return nil, err
	}
	// The kernel stamps each datagram as it arrives (SO_TIMESTAMPNS); without it (an error is
	// not fatal) Age stays 0 and arrival is when the round read it.
	_ = raw.Control(func(f uintptr) { _ = unix.SetsockoptInt(int(f), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) })
	r := &reg{raw: raw, fd: fd, handle: h, onPanic: onPanic, p: p}
	r.readFn = r.read
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running {
		if err := p.start(); err != nil {
			return nil, err
		}
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: fd} // level-triggered: what a round leaves is seen again
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev); err != nil {
		if len(p.regs) == 0 {
			p.stopLocked()
		}
		return nil, err
	}
	p.regs[fd] = r
	return &Registration{p: p, r: r}, nil
}

func (p *Poller) remove(r *reg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.regs[r.fd] != r {
		return // removed already, or dropped when its socket was found closed
	}
	delete(p.regs, r.fd)
	// An error means the socket was closed first, which took it out of the set already.
	_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(r.fd), nil)
	if len(p.regs) == 0 {
		p.stopLocked()
	}
}

// start opens the epoll set and starts the loop. Called with mu held.
func (p *Poller) start() error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return err
	}
	if p.bufs == nil {
		p.allocate()
	}
	p.epfd, p.wakefd, p.running = epfd, wakefd, true
	go p.loop(epfd, wakefd)
	return nil
}

// stopLocked tells the loop to end; it closes the fds itself once it has left epoll_wait.
func (p *Poller) stopLocked() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(p.wakefd, one[:])
	p.running, p.epfd, p.wakefd = false, -1, -1
}

func (p *Poller) allocate() {
	block := make([]byte, batchSize*MaxDatagram)
	p.bufs = make([][]byte, batchSize)
	p.hdrs = make([]unix.Mmsghdr, batchSize)
	p.names = make([]unix.RawSockaddrInet6, batchSize)
	p.got = make([]Datagram, batchSize)
	p.ctrl = make([]byte, batchSize*ctrlSpace)
	iovs := make([]unix.Iovec, batchSize)
	for i := range p.bufs {
		p.bufs[i] = block[i*MaxDatagram : (i+1)*MaxDatagram : (i+1)*MaxDatagram]
		iovs[i].Base = &p.bufs[i][0]
		iovs[i].SetLen(MaxDatagram)
		p.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&p.names[i]))
		p.hdrs[i].Hdr.Iov = &iovs[i]
		p.hdrs[i].Hdr.SetIovlen(1)
		p.hdrs[i].Hdr.Control = &p.ctrl[i*ctrlSpace]
	}
}

// ctrlSpace is the control room of one datagram: one cmsg holding a struct timespec.
var ctrlSpace = unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{})))

// loop runs the rounds of one epoll set until told to end. A loop told to end may still be in a
// round when a new registration starts the next loop with a set of its own; the two take turns
// on mu, and the old one ends at its next look at its set.
func (p *Poller) loop(epfd, wakefd int) {
	defer unix.Close(wakefd)
	defer unix.Close(epfd)
	events := make([]unix.EpollEvent, 256)
	timeout := -1 // block until a datagram waits; after a round, only look
	for {
		n, err := unix.EpollWait(epfd, events, timeout)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return // the set is gone: nothing to read any more
		}
		if n <= 0 {
			timeout = -1
			continue
		}
		for _, ev := range events[:n] {
			if ev.Fd == int32(wakefd) {
				return // checked before taking mu: Add may hold it
			}
		}
		p.round(epfd, events[:n])
		timeout = 0
		if p.interval > 0 {
			time.Sleep(p.interval)
		}
	}
}

// round reads and delivers every ready socket.
func (p *Poller) round(epfd int, events []unix.EpollEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	metrics.RTPPollRounds.Inc()
	for _, ev := range events {
		if r := p.regs[ev.Fd]; r != nil {
			p.drain(r)
		}
	}
	if len(p.regs) == 0 && p.epfd == epfd {
		p.stopLocked() // the last socket was closed without Remove
	}
}

// drain reads one socket's waiting datagrams and delivers them.
func (p *Poller) drain(r *reg) {
	for range maxReadsPerRound {
		r.n = 0
		if err := r.raw.Control(r.readFn); err != nil {
			// Closed without Remove: it left the epoll set as it closed; forget it here too.
			delete(p.regs, r.fd)
			return
		}
		if r.n == 0 {
			return // nothing was waiting after all, or a socket error (not ours to report)
		}
		metrics.RTPPollReads.Inc()
		metrics.RTPPollDatagrams.Add(uint64(r.n))
		now := time.Now()
		for i := range r.n {
			h := &p.hdrs[i]
			p.got[i] = Datagram{
				Buf:       p.bufs[i][:min(int(h.Len), MaxDatagram)],
				From:      p.sender(&p.names[i], h.Hdr.Namelen),
				Truncated: h.Hdr.Flags&unix.MSG_TRUNC != 0,
				Age:       age(now, p.ctrl[i*ctrlSpace:i*ctrlSpace+int(h.Hdr.Controllen)]),
			}
		}
		r.deliver(p.got[:r.n])
		if r.n < batchSize {
			return
		}
	}
}

// read is one non-blocking recvmmsg on the socket, into the poller's buffers.
func (r *reg) read(fd uintptr) {
	p := r.p
	for i := range p.hdrs {
		p.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		p.hdrs[i].Hdr.Flags = 0
		p.hdrs[i].Len = 0
		p.hdrs[i].Hdr.SetControllen(ctrlSpace)
	}
	for {
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&p.hdrs[0])),
			uintptr(len(p.hdrs)), unix.MSG_DONTWAIT, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e == 0 {
			r.n = int(n)
		}
		return
	}
}

// sender decodes the kernel's sockaddr of a datagram's sender; an unknown family gives the zero
// AddrPort.
func (p *Poller) sender(sa *unix.RawSockaddrInet6, length uint32) netip.AddrPort {
	b := (*[unix.SizeofSockaddrInet6]byte)(unsafe.Pointer(sa))
	port := binary.BigEndian.Uint16(b[2:4])
	switch {
	case sa.Family == unix.AF_INET && length >= unix.SizeofSockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
	case sa.Family == unix.AF_INET6 && length >= unix.SizeofSockaddrInet6:
		addr := netip.AddrFrom16([16]byte(b[8:24]))
		if sa.Scope_id != 0 {
			addr = addr.WithZone(p.zones.name(sa.Scope_id))
		}
		return netip.AddrPortFrom(addr, port)
	}
	return netip.AddrPort{}
}

// age reads the kernel's receive timestamp out of a datagram's control messages (allocating
// nothing, unlike unix.ParseSocketControlMessage) and returns how long ago it was, by the wall
// clock both are read from. A missing or odd one, or a wall clock that stepped, gives 0 or is
// bounded: the age only corrects arrival times, it must never invent a long wait.
func age(now time.Time, ctrl []byte) time.Duration {
	hdr := unix.CmsgLen(0)
	for len(ctrl) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&ctrl[0]))
		n := int(h.Len)
		if n < hdr || n > len(ctrl) {
			return 0
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && n >= hdr+int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&ctrl[hdr]))
			d := now.Sub(time.Unix(ts.Sec, ts.Nsec))
			return min(max(d, 0), maxAge)
		}
		ctrl = ctrl[min(unix.CmsgSpace(n-hdr), len(ctrl)):]
	}
	return 0
}

// maxAge bounds Age: a datagram waits at most a round and a scheduling delay; more means the
// wall clock stepped.
const maxAge = time.Second
