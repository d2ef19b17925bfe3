package sipua

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// sipMessage is one SIP message read off a stream: its first line, headers and body.
type sipMessage struct {
	start string
	hdr   textproto.MIMEHeader
	body  []byte
}

func readSIP(r *bufio.Reader) (sipMessage, error) {
	tr := textproto.NewReader(r)
	start, err := tr.ReadLine()
	if err != nil {
		return sipMessage{}, err
	}
	hdr, err := tr.ReadMIMEHeader()
	if err != nil {
		return sipMessage{}, err
	}
	n, _ := strconv.Atoi(hdr.Get("Content-Length"))
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return sipMessage{}, err
	}
	return sipMessage{start: start, hdr: hdr, body: body}, nil
}

// A UA with a TLS listener is a whole TLS endpoint: its INVITE's Via and Contact name the
// listener's port with transport=tls (not the ephemeral port of the connection it dialled), and
// a device that opens a new TLS connection to that Contact for its BYE (as a proxy that does not
// alias our connection does) ends the dialog and gets its 200 over that connection.
func TestTLSListenerTakesPeersBye(t *testing.T) {
	certFile, keyFile := peers.SelfSignedCert(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	dev, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(Config{ListenIP: "127.0.0.1", TLS: &tls.Config{InsecureSkipVerify: true}, TLSListener: ln})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	tlsPort := u.TLSAddr().Port

	invite := make(chan sipMessage, 1)
	byeAnswer := make(chan string, 1)
	devErr := make(chan error, 1)
	go func() { devErr <- playCallee(dev, u.TLSAddr().String(), invite, byeAnswer) }()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	devPort := dev.Addr().(*net.TCPAddr).Port
	sess, err := u.Invite(ctx, Invite{CallID: "tls-listen", Callee: "bob", Domain: "127.0.0.1", Port: devPort,
		Transport: TransportTLS, SDP: []byte("v=0\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if _, err := sess.WaitAnswer(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	inv := <-invite
	wantVia := fmt.Sprintf("SIP/2.0/TLS 127.0.0.1:%d;", tlsPort)
	wantContact := fmt.Sprintf("127.0.0.1:%d;transport=tls", tlsPort)
	if !strings.HasPrefix(inv.hdr.Get("Via"), wantVia) || !strings.Contains(inv.hdr.Get("Contact"), wantContact) {
		t.Errorf("INVITE names not the TLS listener %d:\nVia: %s\nContact: %s", tlsPort, inv.hdr.Get("Via"), inv.hdr.Get("Contact"))
	}
	select {
	case <-sess.Ended():
	case err := <-devErr:
		t.Fatalf("device: %v", err)
	case <-ctx.Done():
		t.Fatal("the BYE over the device's own TLS connection did not end the dialog")
	}
	if res := <-byeAnswer; !strings.HasPrefix(res, "SIP/2.0 200") {
		t.Errorf("answer to the BYE: %q", res)
	}
}

// playCallee answers the INVITE of the first connection with 200, reads the ACK, then sends
// its BYE over a new TLS connection to the UA's listener at ua and reports the answer.
func playCallee(dev net.Listener, ua string, invite chan<- sipMessage, byeAnswer chan<- string) error {
	conn, err := dev.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	inv, err := readSIP(r)
	if err != nil {
		return err
	}
	invite <- inv
	devAddr := dev.Addr().String()
	sdp := "v=0\r\n"
	res := "SIP/2.0 200 OK\r\nVia: " + inv.hdr.Get("Via") + "\r\nFrom: " + inv.hdr.Get("From") +
		"\r\nTo: " + inv.hdr.Get("To") + ";tag=dev\r\nCall-ID: " + inv.hdr.Get("Call-Id") +
		"\r\nCSeq: " + inv.hdr.Get("Cseq") + "\r\nContact: <sip:bob@" + devAddr + ";transport=tls>" +
		"\r\nContent-Type: application/sdp\r\nContent-Length: " + strconv.Itoa(len(sdp)) + "\r\n\r\n" + sdp
	if _, err := conn.Write([]byte(res)); err != nil {
		return err
	}
	if ack, err := readSIP(r); err != nil || !strings.HasPrefix(ack.start, "ACK ") {
		return fmt.Errorf("no ACK: %q %v", ack.start, err)
	}
	_, ourTag, _ := strings.Cut(inv.hdr.Get("From"), ";tag=")
	bye, err := tls.Dial("tcp", ua, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // the UA's test certificate
	if err != nil {
		return err
	}
	defer bye.Close()
	local := bye.LocalAddr().String()
	req := "BYE " + strings.Trim(strings.TrimPrefix(inv.hdr.Get("Contact"), "<"), ">") + " SIP/2.0\r\n" +
		"Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-devbye\r\nFrom: <sip:bob@127.0.0.1>;tag=dev\r\n" +
		"To: <sip:sipcast@127.0.0.1>;tag=" + ourTag + "\r\nCall-ID: " + inv.hdr.Get("Call-Id") +
		"\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := bye.Write([]byte(req)); err != nil {
		return err
	}
	_ = bye.SetReadDeadline(time.Now().Add(5 * time.Second))
	ans, err := readSIP(bufio.NewReader(bye))
	if err != nil {
		return err
	}
	byeAnswer <- ans.start
	return nil
}
