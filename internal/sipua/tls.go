package sipua

import (
	"errors"
	"log/slog"
	"net"
	"sync"

	"github.com/emiago/sipgo"
)

// SIP over TLS has two halves. The client half dials out (sipTransport tls): sipgo opens one
// TLS connection per peer address and reuses it for every request of every dialog to that peer,
// and the peer's answers come back over it. The server half is the listener: a peer that must
// send us a request and has no connection to our Contact's address (a proxy relaying the callee's
// BYE or re-INVITE without aliasing our outbound connection, RFC 3261 §18.1.1 and §18.2.2) opens a
// new TLS connection to it. Our outbound connections leave from ephemeral ports, so Via and
// Contact of TLS dialogs name the listener's port, never the connection's.

// tlsPort is the TLS listener's port; 0 when the UA does not listen for TLS.
func (u *UA) tlsPort() int {
	if u.tlsLn == nil {
		return 0
	}
	return u.tlsLn.Addr().(*net.TCPAddr).Port
}

// TLSAddr is the address the UA takes SIP over TLS on; nil when it does not.
func (u *UA) TLSAddr() *net.TCPAddr {
	if u.tlsLn == nil {
		return nil
	}
	return u.tlsLn.Addr().(*net.TCPAddr)
}

// startTLS makes the client of TLS dialogs, whose Via names the listener's port (sipgo would
// otherwise write the ephemeral port of the connection), and serves the listener.
func (u *UA) startTLS(wg *sync.WaitGroup) error {
	var err error
	u.tlsClient, err = sipgo.NewClient(u.ua, sipgo.WithClientLogger(u.log),
		sipgo.WithClientHostname(u.cfg.ContactIP), sipgo.WithClientPort(u.tlsPort()), sipgo.WithClientNAT())
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		ln := acceptLogger{Listener: u.tlsLn, log: u.log}
		if err := u.server.ServeTLS(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			u.log.Error("sip TLS server stopped", "err", err)
		}
	}()
	u.log.Info("SIP over TLS listening", "addr", u.tlsLn.Addr().String())
	return nil
}

// acceptLogger logs every connection a peer opens to the TLS listener: they are rare (a proxy
// keeps its connection; a phone opens one per dialog at most), and the line is how an operator
// (and the end-to-end test) tells a peer reaching us from one reusing our own connection.
type acceptLogger struct {
	net.Listener
	log *slog.Logger
}

func (l acceptLogger) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.log.Info("SIP over TLS connection accepted", "remote", c.RemoteAddr().String(),
			"local", c.LocalAddr().String())
	}
	return c, err
}
