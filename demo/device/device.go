// Package device is a simulated SIP callee (a UAS) for the demo and the
// benchmark: it answers INVITEs over UDP, then streams a looped H.264 RTP
// capture and a µ-law tone, in real time, to the ports of the caller's offer,
// until either side sends BYE. Many devices can run in one process; each call
// costs one pacing goroutine plus one discard loop per media socket.
package device

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Device is one simulated callee. New, then Start; Close when done.
type Device struct {
	cfg  Config
	log  *slog.Logger
	cap  *capture
	tone [][]byte

	mu      sync.Mutex
	started bool
	closed  bool
	calls   map[string]*call // by dialog ID
	ctx     context.Context  // ends on Close or when Start's ctx ends
	cancel  context.CancelFunc

	ip      net.IP
	conn    net.PacketConn
	ua      *sipgo.UserAgent
	dialogs *sipgo.DialogServerCache

	work    sync.WaitGroup // SIP handlers and calls
	serving sync.WaitGroup // sipgo's UDP read loop

	closing    atomic.Bool   // set by Close: new SIP requests are dropped unread
	received   atomic.Uint64 // datagrams read (and dropped) on media sockets
	sendErrors atomic.Uint64 // RTP writes that failed
}

// New checks cfg and prepares the media (parsed once per process).
func New(cfg Config) (*Device, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c, err := loadCapture()
	if err != nil {
		return nil, err
	}
	tone := toneFrames()
	if len(tone) == 0 {
		return nil, fmt.Errorf("%w: empty tone", ErrBadConfig)
	}
	return &Device{cfg: cfg, log: cfg.Logger, cap: c, tone: tone, calls: map[string]*call{}}, nil
}

// Start binds the SIP socket (returning a bind error at once) and serves in
// the background. When ctx ends, calls are hung up and new INVITEs get 503;
// Close must still be called to release the socket.
func (d *Device) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.closed:
		return ErrClosed
	case d.started:
		return ErrAlreadyStarted
	}
	conn, err := net.ListenPacket("udp", d.cfg.Addr)
	if err != nil {
		return fmt.Errorf("device: %w", err)
	}
	laddr := conn.LocalAddr().(*net.UDPAddr)
	ua, srv, client, err := newSIP(laddr, d.log, d.dropWhenClosing)
	if err != nil {
		_ = conn.Close()
		return err
	}
	contact := sip.ContactHeader{Address: sip.Uri{
		Scheme: "sip", User: d.contactUser(), Host: laddr.IP.String(), Port: laddr.Port,
	}}
	d.dialogs = sipgo.NewDialogServerCache(client, contact)
	srv.OnInvite(d.onInvite)
	srv.OnAck(d.onAck)
	srv.OnBye(d.onBye)
	srv.OnOptions(d.onOptions)

	d.started, d.ip, d.conn, d.ua = true, laddr.IP, conn, ua
	d.ctx, d.cancel = context.WithCancel(ctx)
	d.serving.Go(func() { _ = srv.ServeUDP(conn) })
	waitServing(ua, laddr.String())
	d.log.Info("device listening", "uri", d.uriLocked())
	return nil
}

// servingTimeout bounds waitServing; sipgo registers its socket within
// microseconds of ServeUDP starting.
const servingTimeout = time.Second

// waitServing returns once sipgo's UDP read loop has registered the socket
// in its connection pool. Until then a request sent with
// WithClientConnectionAddr does not find the socket and tries to bind a new
// one on the same address ("address already in use").
func waitServing(ua *sipgo.UserAgent, addr string) {
	deadline := time.Now().Add(servingTimeout)
	for time.Now().Before(deadline) {
		if _, err := ua.TransportLayer().GetConnection("udp", addr); err == nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// newSIP builds the sipgo stack. The client sends from the listening socket
// (WithClientConnectionAddr): otherwise sipgo sends the device's BYE from a
// fresh ephemeral socket, and its Via names a port nobody listens on.
func newSIP(laddr *net.UDPAddr, log *slog.Logger, filter sip.TransportReadFilter) (*sipgo.UserAgent, *sipgo.Server, *sipgo.Client, error) {
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("sipcast-device"),
		sipgo.WithUserAgentHostname(laddr.IP.String()),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log),
			sip.WithTransportLayerReadFilter(filter)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)),
	)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("device: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err == nil {
		var client *sipgo.Client
		client, err = sipgo.NewClient(ua,
			sipgo.WithClientLogger(log),
			sipgo.WithClientHostname(laddr.IP.String()),
			sipgo.WithClientConnectionAddr(laddr.String()))
		if err == nil {
			return ua, srv, client, nil
		}
	}
	_ = ua.Close()
	return nil, nil, nil, fmt.Errorf("device: %w", err)
}

func (d *Device) contactUser() string {
	if d.cfg.User != "" {
		return d.cfg.User
	}
	return "device"
}

// Addr is the SIP address listened on (useful with port 0); nil before Start.
func (d *Device) Addr() net.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == nil {
		return nil
	}
	return d.conn.LocalAddr()
}

// URI is the SIP URI that reaches the device, e.g. sip:alice@127.0.0.1:5070;
// empty before Start.
func (d *Device) URI() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.uriLocked()
}

func (d *Device) uriLocked() string {
	if d.conn == nil {
		return ""
	}
	a := d.conn.LocalAddr().(*net.UDPAddr)
	return "sip:" + d.contactUser() + "@" + net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port))
}

// Calls is the number of answered calls whose media is running.
func (d *Device) Calls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.calls)
}

// Close hangs up the calls in progress (each sends BYE, bounded by a short
// timeout), refuses new ones, closes the socket and waits for every
// goroutine. It is safe to call more than once.
func (d *Device) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	started := d.started
	if started {
		d.cancel()
	}
	d.mu.Unlock()
	if !started {
		return nil
	}
	d.work.Wait() // calls need the SIP stack for their BYE, handlers the ACK of their answer: close it after
	d.closing.Store(true)
	// The UA first: it ends the transactions, whose timers would otherwise retransmit through a
	// socket sipgo makes anew once ours is closed — and nobody would close that one.
	_ = d.ua.Close()
	if err := d.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	d.serving.Wait()
	// A request read just before closing is handled on a goroutine of sipgo's own; if that runs
	// after ua.Close, sipgo opens a fresh socket to answer it. Sweep once more after it had time.
	time.Sleep(closeSweepDelay)
	_ = d.ua.TransportLayer().Close()
	return nil
}

// closeSweepDelay is how long Close lets sipgo's in-flight request goroutines run before its
// last sweep of the sockets they may have opened.
const closeSweepDelay = 20 * time.Millisecond

// dropWhenClosing is sipgo's read filter: once Close has let the calls and handlers finish,
// requests are dropped before sipgo parses them (each would start a transaction, and after
// ua.Close a socket nobody closes). Responses still pass.
func (d *Device) dropWhenClosing(_ sip.TransportReadProps, data []byte) ([]byte, error) {
	if d.closing.Load() && !bytes.HasPrefix(data, []byte("SIP/2.0 ")) {
		return nil, nil
	}
	return data, nil
}

// enter registers a SIP handler or call with Close; false once closing.
func (d *Device) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.ctx.Err() != nil {
		return false
	}
	d.work.Add(1)
	return true
}
