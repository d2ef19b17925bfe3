package netlimit

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// conn is an accepted connection: it frees its place on Close and puts the listener's
// deadlines on every Read.
type conn struct {
	net.Conn
	l      *Listener
	source string
	// tls is set for a TLS connection whose handshake must finish within HandshakeTimeout.
	tls *tls.Conn

	handshake sync.Once
	closeOnce sync.Once
}

func (c *conn) Read(b []byte) (int, error) {
	if c.tls != nil {
		var err error
		c.handshake.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), c.l.cfg.HandshakeTimeout)
			defer cancel()
			err = c.tls.HandshakeContext(ctx)
		})
		if err != nil {
			return 0, err
		}
	}
	if d := c.l.cfg.IdleTimeout; d > 0 {
		if err := c.Conn.SetReadDeadline(time.Now().Add(d)); err != nil {
			return 0, err
		}
	}
	return c.Conn.Read(b)
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() { c.l.release(c.source) })
	return err
}

// NetConn is the connection underneath, for code that looks through wrappers (tls.Conn's
// NetConn, fasthttp's tcp keep-alive settings).
func (c *conn) NetConn() net.Conn { return c.Conn }

// tlsConn is a conn over TLS that still says so: servers that look for Handshake and
// ConnectionState (fasthttp's IsTLS, Fiber's Protocol) see a TLS connection.
type tlsConn struct {
	*conn
	tc *tls.Conn
}

func (c *tlsConn) Handshake() error                     { return c.tc.Handshake() }
func (c *tlsConn) ConnectionState() tls.ConnectionState { return c.tc.ConnectionState() }
