package sipua

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// sipTransport tls: the INVITE goes over a TLS connection the UA opens (a TLS socket of the test
// reads it; cmd/sipcast's TestE2ERegistrarTLS runs a whole call through kamailio over TLS), names
// TLS in its Via, Contact and Request-URI, and the device's final answer comes back over the same
// connection.
func TestInviteOverTLS(t *testing.T) {
	certFile, keyFile := peers.SelfSignedCert(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := textproto.NewReader(bufio.NewReader(conn))
		start, _ := r.ReadLine()
		hdr, _ := r.ReadMIMEHeader()
		got <- start + "\n" + hdr.Get("Via") + "\n" + hdr.Get("Contact")
		res := "SIP/2.0 486 Busy Here\r\nVia: " + hdr.Get("Via") + "\r\nFrom: " + hdr.Get("From") +
			"\r\nTo: " + hdr.Get("To") + ";tag=dev\r\nCall-ID: " + hdr.Get("Call-Id") + "\r\nCSeq: " + hdr.Get("Cseq") +
			"\r\nContent-Length: 0\r\n\r\n"
		_, _ = conn.Write([]byte(res))
		time.Sleep(time.Second) // the ACK
	}()
	u, err := New(Config{ListenIP: "127.0.0.1", TLS: &tls.Config{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sess, err := u.Invite(ctx, Invite{CallID: "tls1", Callee: "bob", Domain: "127.0.0.1", Port: port,
		Transport: TransportTLS, SDP: []byte("v=0\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	_, err = sess.WaitAnswer(ctx, nil)
	var fe *FinalResponseError
	if !errors.As(err, &fe) || fe.Code != 486 {
		t.Fatalf("answer: %v", err)
	}
	lines := strings.Split(<-got, "\n")
	if !strings.Contains(lines[0], ";transport=tls") || !strings.HasPrefix(lines[1], "SIP/2.0/TLS ") || !strings.Contains(lines[2], "transport=tls") {
		t.Fatalf("request seen over TLS:\n%s", strings.Join(lines, "\n"))
	}
}
