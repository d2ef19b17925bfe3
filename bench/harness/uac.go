package harness

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// uac places the baseline's calls: the harness stands in for the gateway
// on the SIP side, offering the relays' ports, so the devices send the
// relays exactly the RTP they send sipcast.
type uac struct {
	conn    net.PacketConn
	ua      *sipgo.UserAgent
	cache   *sipgo.DialogClientCache
	serving sync.WaitGroup
}

func newUAC(log *slog.Logger) (*uac, error) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := conn.LocalAddr().(*net.UDPAddr)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("sipcast-bench"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)))
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	// Requests leave from the listening socket, so the device's BYE and
	// retransmissions come back to a port that is read.
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log),
		sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientConnectionAddr(addr.String()))
	if err == nil {
		var srv *sipgo.Server
		if srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(log)); err == nil {
			u := &uac{conn: conn, ua: ua,
				cache: sipgo.NewDialogClientCache(client, sip.ContactHeader{Address: sip.Uri{User: "bench", Host: "127.0.0.1", Port: addr.Port}})}
			srv.OnBye(u.onBye)
			u.serving.Go(func() { _ = srv.ServeUDP(conn) })
			waitSIPServing(ua, addr.String())
			return u, nil
		}
	}
	_ = ua.Close()
	_ = conn.Close()
	return nil, err
}

// waitSIPServing returns once sipgo has registered the listening socket;
// before that, a request sent from it would try to bind the address again.
func waitSIPServing(ua *sipgo.UserAgent, addr string) {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if _, err := ua.TransportLayer().GetConnection("udp", addr); err == nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func (u *uac) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := u.cache.ReadBye(req, tx); err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	}
}

// invite calls dest with offer and waits for the 2xx (not yet ACKed).
func (u *uac) invite(ctx context.Context, dest *net.UDPAddr, offer []byte) (*sipgo.DialogClientSession, error) {
	uri := sip.Uri{Scheme: "sip", User: "bench", Host: dest.IP.String(), Port: dest.Port}
	sess, err := u.cache.Invite(ctx, uri, offer, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return nil, err
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		_ = sess.Close()
		return nil, fmt.Errorf("%w: INVITE: %w", ErrCallFailed, err)
	}
	return sess, nil
}

func (u *uac) close() {
	_ = u.conn.Close()
	_ = u.ua.Close()
	u.serving.Wait()
}
