// Package sipua is sipcast's SIP user agent: one sipgo stack shared by every call. It places
// INVITEs for the call actors (which see it through the narrow call.Signaling interface, so their
// tests can fake it), routes in-dialog requests from callees (BYE) back to their dialogs, and
// answers OPTIONS. It holds no call state of its own beyond sipgo's dialog cache.
package sipua

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Config configures the UA.
type Config struct {
	// ListenIP/Port: the UDP socket SIP uses, for requests out and in.
	ListenIP string
	Port     int
	// ContactIP is the address put in Via/Contact (SIPCAST_SIP_IP); defaults to ListenIP.
	ContactIP string
	// UserAgent is the User-Agent header value.
	UserAgent string
	Logger    *slog.Logger
}

// UA is the shared SIP stack.
type UA struct {
	cfg    Config
	log    *slog.Logger
	ua     *sipgo.UserAgent
	server *sipgo.Server
	client *sipgo.Client
	cache  *sipgo.DialogClientCache
	conn   net.PacketConn
	served chan struct{}
}

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
	u := &UA{cfg: cfg, log: cfg.Logger.With("component", "sipua"), served: make(chan struct{})}
	addr := net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.Port))
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrListen, addr, err)
	}
	u.conn = conn
	if u.ua, err = sipgo.NewUA(sipgo.WithUserAgent(cfg.UserAgent), sipgo.WithUserAgentHostname(cfg.ContactIP)); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if u.server, err = sipgo.NewServer(u.ua, sipgo.WithServerLogger(u.log)); err != nil {
		u.Close()
		return nil, err
	}
	// Requests leave from the listening socket, so Via and Contact name a port the callee can
	// reach us on (its BYE would otherwise go to an ephemeral socket nobody reads).
	localAddr := conn.LocalAddr().(*net.UDPAddr)
	if u.client, err = sipgo.NewClient(u.ua, sipgo.WithClientLogger(u.log),
		sipgo.WithClientHostname(cfg.ContactIP),
		sipgo.WithClientConnectionAddr(localAddr.String())); err != nil {
		u.Close()
		return nil, err
	}
	u.cache = sipgo.NewDialogClientCache(u.client, sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: "sipcast", Host: cfg.ContactIP, Port: localAddr.Port},
	})
	u.server.OnBye(u.onBye)
	u.server.OnOptions(u.onOptions)
	go func() {
		defer close(u.served)
		if err := u.server.ServeUDP(conn); err != nil && !errors.Is(err, net.ErrClosed) {
			u.log.Error("sip server stopped", "err", err)
		}
	}()
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
	if u.server != nil {
		<-u.served
	}
}

func (u *UA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := u.cache.ReadBye(req, tx); err != nil {
		// No dialog of ours: RFC 3261 §15.1.2 says 481.
		res := sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil)
		if err := tx.Respond(res); err != nil {
			u.log.Debug("481 to stray BYE", "err", err)
		}
	}
}

func (u *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	if err := tx.Respond(res); err != nil {
		u.log.Debug("answer OPTIONS", "err", err)
	}
}
