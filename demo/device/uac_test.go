package device

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
)

// goroutineSettle is how long goroutines get to finish after Close before a
// leak is reported (sipgo's transaction timers need a moment).
const goroutineSettle = 5 * time.Second

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// startDevice runs a device on a free loopback port, closed at cleanup.
func startDevice(t *testing.T, cfg Config) *Device {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	cfg.Logger = testLogger(t)
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("device Close: %v", err)
		}
	})
	return d
}

// uac is a caller built as LIBRARIES.md describes sipcast's: a DialogClientCache
// whose requests leave from the listening socket, and a server for the
// callee's BYE.
type uac struct {
	cache *sipgo.DialogClientCache
	byes  chan struct{} // one per BYE received from the device
}

func newUAC(t *testing.T) *uac {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := conn.LocalAddr().(*net.UDPAddr)
	log := testLogger(t)
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)))
	if err != nil {
		t.Fatal(err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log),
		sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientConnectionAddr(addr.String()))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	u := &uac{
		cache: sipgo.NewDialogClientCache(client, sip.ContactHeader{Address: sip.Uri{User: "gw", Host: "127.0.0.1", Port: addr.Port}}),
		byes:  make(chan struct{}, 8),
	}
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := u.cache.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
			return
		}
		u.byes <- struct{}{}
	})
	var serving sync.WaitGroup
	serving.Go(func() { _ = srv.ServeUDP(conn) })
	waitServing(ua, addr.String())
	t.Cleanup(func() {
		_ = ua.Close() // first: ends the transactions before their socket goes (device.Close)
		_ = conn.Close()
		serving.Wait()
	})
	return u
}

// offer is a gateway-like offer: receive-only PCMU (among others) and H.264
// in both packetization modes, mode 1 on PT 97.
func offer(audioPort, videoPort int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=gw\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n"+
		"m=video %d RTP/AVP 96 97\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=0;profile-level-id=42e01f\r\n"+
		"a=rtpmap:97 H264/90000\r\na=fmtp:97 packetization-mode=1;profile-level-id=42e01f\r\na=recvonly\r\n", audioPort, videoPort)
}

// invite calls target and waits for the final answer, returning the
// session, the status codes seen in order (OnResponse sees the provisional
// responses and the 2xx), and WaitAnswer's error.
func (u *uac) invite(ctx context.Context, target string, body []byte) (*sipgo.DialogClientSession, []int, error) {
	var uri sip.Uri
	if err := sip.ParseUri(target, &uri); err != nil {
		return nil, nil, err
	}
	sess, err := u.cache.Invite(ctx, uri, body, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return nil, nil, err
	}
	var codes []int
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		codes = append(codes, res.StatusCode)
		return nil
	}})
	return sess, codes, err
}

// rtpSink receives RTP on a loopback socket.
type rtpSink struct {
	conn *net.UDPConn
	mu   sync.Mutex
	pkts []rtpRecv
	wg   sync.WaitGroup
}

type rtpRecv struct {
	at  time.Time
	hdr rtp.Header
	len int
}

func newSink(t *testing.T) *rtpSink {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSink{conn: c}
	s.wg.Go(func() {
		buf := make([]byte, 2048)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			var p rtp.Packet
			if p.Unmarshal(buf[:n]) == nil {
				s.mu.Lock()
				s.pkts = append(s.pkts, rtpRecv{at: time.Now(), hdr: p.Header, len: n})
				s.mu.Unlock()
			}
		}
	})
	t.Cleanup(s.close)
	return s
}

func (s *rtpSink) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

func (s *rtpSink) close() {
	_ = s.conn.Close()
	s.wg.Wait()
}

func (s *rtpSink) received() []rtpRecv {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rtpRecv(nil), s.pkts...)
}
