package sipua

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// closedWithin reports whether the UA closed c within d (the read ends other than by our own
// deadline).
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// The SIP listeners bound what a peer can hold: a TLS client that never finishes its handshake
// and a TCP client that never speaks are dropped, and a source over its cap is refused, while
// the listeners go on serving (issue 12: they had no limits, and a failed accept stopped SIP
// over TCP for good).
func TestListenerLimits(t *testing.T) {
	certFile, keyFile := peers.SelfSignedCert(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(Config{ListenIP: "127.0.0.1", TLS: &tls.Config{InsecureSkipVerify: true}, TLSListener: ln,
		Limits: ListenLimits{MaxPerSource: 3, IdleTimeout: 300 * time.Millisecond, HandshakeTimeout: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	tcpAddr := u.Addr().String()

	silentTLS, err := net.Dial("tcp", u.TLSAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silentTLS.Close()
	if !closedWithin(silentTLS, 5*time.Second) {
		t.Fatal("a TLS client that never said hello was kept past the handshake timeout")
	}
	silentTCP, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer silentTCP.Close()
	if !closedWithin(silentTCP, 5*time.Second) {
		t.Fatal("a silent TCP client was kept past the idle timeout")
	}

	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", tcpAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	time.Sleep(100 * time.Millisecond) // the three are accepted before the fourth
	extra, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if !closedWithin(extra, 200*time.Millisecond) {
		t.Fatal("a fourth connection from one address was kept (cap 3)")
	}
	for _, c := range held {
		_ = c.Close()
	}
	// Still serving: once the server has seen those close (each read loop notices in its own
	// time), an OPTIONS over a new connection is answered.
	opt := "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-lim1\r\n" +
		"From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:gw@127.0.0.1>\r\nCall-ID: limits-options\r\nCSeq: 1 OPTIONS\r\n" +
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	answer := func() (string, error) {
		c, err := net.Dial("tcp", tcpAddr)
		if err != nil {
			return "", err
		}
		defer c.Close()
		if _, err := c.Write([]byte(opt)); err != nil {
			return "", err
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 12)
		_, err = io.ReadFull(c, buf)
		return string(buf), err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := answer()
		if err == nil && got == "SIP/2.0 200 " {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("OPTIONS after the caps: %q %v", got, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
