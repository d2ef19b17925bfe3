// Package sipua is sipcast's SIP user agent: one sipgo stack shared by every call, over UDP, TCP
// and TLS. It places INVITEs and REGISTERs for the call actors (which see it through the narrow
// call.Signaling interface, so their tests can fake it), answers digest challenges, routes the
// callees' in-dialog requests (BYE, re-INVITE, UPDATE, INFO, ACK) back to their dialogs, sends
// target refreshes, and answers OPTIONS. It holds no call state beyond its map of live dialogs.
package sipua

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sipcast/sipcast/internal/netlimit"
)

// Config configures the UA.
type Config struct {
	// ListenIP/Port: the UDP socket SIP uses, for requests out and in.
	ListenIP string
	Port     int
	// ContactIP is the address put in Via/Contact: SIPCAST_SIP_PUBLIC_IP behind NAT, else
	// SIPCAST_SIP_IP; defaults to ListenIP.
	ContactIP string
	// UserAgent is the User-Agent header value.
	UserAgent string
	// NoTCP leaves SIP over TCP off; by default the UA also listens on TCP on Port, where callees
	// reached over TCP send their in-dialog requests.
	NoTCP bool
	// TLS is the client configuration of sipTransport tls (roots, or verification off for test
	// servers); nil refuses tls.
	TLS    *tls.Config
	Logger *slog.Logger

	// TLSListener takes SIP over TLS (a tls.Listen with the gateway's certificate): the UA serves
	// it, closes it with Close, and names its port with transport=tls in the Via and Contact of
	// TLS dialogs, so a peer that opens a new connection for an in-dialog request reaches it.
	// nil: TLS is client-only, and the peer must reuse our connection (tls.go).
	TLSListener net.Listener

	// Limits of the TCP and TLS listeners against a flood of connections; zero values take the
	// defaults below.
	Limits ListenLimits
}

// ListenLimits bound what peers can hold open on the TCP and TLS listeners (each listener has
// its own caps). Outbound connections, which carry our own calls, are not counted.
type ListenLimits struct {
	MaxConns         int           // connections open at once; default 1024
	MaxPerSource     int           // from one address; default 64
	IdleTimeout      time.Duration // a connection silent this long is closed; default 5 min
	HandshakeTimeout time.Duration // TLS handshake; default 10 s
}

func (l *ListenLimits) defaults() {
	if l.MaxConns == 0 {
		l.MaxConns = 1024
	}
	if l.MaxPerSource == 0 {
		l.MaxPerSource = 64
	}
	if l.IdleTimeout == 0 {
		l.IdleTimeout = 5 * time.Minute
	}
	if l.HandshakeTimeout == 0 {
		l.HandshakeTimeout = 10 * time.Second
	}
}

// limit wraps a listener of ours so a flood neither exhausts descriptors nor, by a failed
// Accept, stops sipgo's accept loop for good (it returns on any error).
func (u *UA) limit(ln net.Listener, name string) net.Listener {
	l := u.cfg.Limits
	return netlimit.Wrap(ln, netlimit.Config{Name: name, MaxConns: l.MaxConns, MaxPerSource: l.MaxPerSource,
		IdleTimeout: l.IdleTimeout, HandshakeTimeout: l.HandshakeTimeout, Logger: u.log})
}

// UA is the shared SIP stack.
type UA struct {
	cfg    Config
	log    *slog.Logger
	ua     *sipgo.UserAgent
	server *sipgo.Server
	client *sipgo.Client
	conn   net.PacketConn
	served chan struct{}
	// stream is the client of TCP (and of TLS without a listener): it must not be bound to the UDP
	// socket's address.
	stream  *sipgo.Client
	tcp     net.Listener // nil when TCP is off or its port was taken
	dialogs sync.Map     // dialog ID → *session, for the callee's in-dialog requests
	serving bool         // the server goroutines run: Close waits for them

	// tlsLn is Config.TLSListener, and tlsClient the client of TLS dialogs when it is set.
	tlsLn     net.Listener
	tlsClient *sipgo.Client
}

// udpMaxMessage is the largest SIP message sent over UDP. sipgo refuses anything within 200
// bytes of a 1500-byte MTU (RFC 3261 §18.1.1 would switch to TCP, which a UDP-only device does not
// take): an INVITE with audio + video SDP, session-timer headers and digest credentials is about
// 1.4 kB. Like most UAs, sipcast sends it anyway and lets IP fragment it; sipTransport tcp is
// there for networks that drop fragments.
const udpMaxMessage = 4096

func init() { sip.UDPMTUSize = udpMaxMessage + 200 }

// New binds the SIP socket (so a port in use fails here, at start-up) and builds the stack.
func New(cfg Config) (*UA, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ContactIP == "" {
		cfg.ContactIP = cfg.ListenIP
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "sipcast"
	}
	cfg.Limits.defaults()
	u := &UA{cfg: cfg, log: cfg.Logger.With("component", "sipua"), served: make(chan struct{})}
	if cfg.TLSListener != nil {
		u.tlsLn = u.limit(cfg.TLSListener, "sip-tls")
	}
	addr := net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.Port))
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		if u.tlsLn != nil {
			_ = u.tlsLn.Close()
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrListen, addr, err)
	}
	u.conn = conn
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent(cfg.UserAgent), sipgo.WithUserAgentHostname(cfg.ContactIP)}
	if cfg.TLS != nil {
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(cfg.TLS))
	}
	if u.ua, err = sipgo.NewUA(uaOpts...); err != nil {
		u.Close()
		return nil, err
	}
	if u.server, err = sipgo.NewServer(u.ua, sipgo.WithServerLogger(u.log)); err != nil {
		u.Close()
		return nil, err
	}
	// Requests leave from the listening socket, so Via and Contact name a port the callee can
	// reach us on (its BYE would otherwise go to an ephemeral socket nobody reads).
	localAddr := conn.LocalAddr().(*net.UDPAddr)
	// Via carries ;rport (RFC 3581): a callee behind NAT, or one we reach through NAT, answers to
	// the address our requests came from.
	if u.client, err = sipgo.NewClient(u.ua, sipgo.WithClientLogger(u.log),
		sipgo.WithClientHostname(cfg.ContactIP), sipgo.WithClientNAT(),
		sipgo.WithClientConnectionAddr(localAddr.String())); err != nil {
		u.Close()
		return nil, err
	}
	if u.stream, err = sipgo.NewClient(u.ua, sipgo.WithClientLogger(u.log),
		sipgo.WithClientHostname(cfg.ContactIP), sipgo.WithClientNAT()); err != nil {
		u.Close()
		return nil, err
	}
	u.routeRequests()
	servers := 1
	if !cfg.NoTCP {
		// The UDP socket's port, also when the configured one was 0: Contact names one port.
		addr := localAddr.String()
		if ln, err := net.Listen("tcp", addr); err != nil {
			u.log.Warn("SIP over TCP off: cannot listen", "addr", addr, "err", err)
		} else {
			u.tcp = u.limit(ln, "sip-tcp")
			servers++
		}
	}
	var wg sync.WaitGroup
	if u.tlsLn != nil {
		if err := u.startTLS(&wg); err != nil {
			u.Close()
			return nil, err
		}
	}
	wg.Add(servers)
	go func() {
		defer wg.Done()
		if err := u.server.ServeUDP(conn); err != nil && !errors.Is(err, net.ErrClosed) {
			u.log.Error("sip server stopped", "err", err)
		}
	}()
	if u.tcp != nil {
		go func() {
			defer wg.Done()
			if err := u.server.ServeTCP(u.tcp); err != nil && !errors.Is(err, net.ErrClosed) {
				u.log.Error("sip TCP server stopped", "err", err)
			}
		}()
	}
	u.serving = true
	go func() { wg.Wait(); close(u.served) }()
	u.waitServing(localAddr.String())
	return u, nil
}

// servingTimeout bounds the wait for sipgo's read loop to register the socket.
const servingTimeout = 2 * time.Second

// waitServing returns once sipgo's UDP read loop has registered the socket. Until then a request
// sent with WithClientConnectionAddr finds no connection and tries to bind a second socket on the
// same address ("address already in use").
func (u *UA) waitServing(addr string) {
	deadline := time.Now().Add(servingTimeout)
	for time.Now().Before(deadline) {
		if _, err := u.ua.TransportLayer().GetConnection("udp", addr); err == nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
	u.log.Warn("SIP socket not registered in time; first requests may fail", "addr", addr)
}

// Addr is the bound SIP address.
func (u *UA) Addr() *net.UDPAddr { return u.conn.LocalAddr().(*net.UDPAddr) }

// Close stops the stack and waits for the server goroutine.
func (u *UA) Close() {
	if u.client != nil {
		_ = u.client.Close()
	}
	if u.server != nil {
		_ = u.server.Close()
	}
	if u.ua != nil {
		_ = u.ua.Close()
	}
	_ = u.conn.Close()
	if u.tcp != nil {
		_ = u.tcp.Close()
	}
	if u.tlsLn != nil {
		_ = u.tlsLn.Close()
	}
	if u.serving {
		<-u.served
	}
}
