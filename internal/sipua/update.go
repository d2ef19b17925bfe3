package sipua

import (
	"context"
	"fmt"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Refresh is a target refresh request of ours: a session-timer refresh, or a re-offer.
type Refresh struct {
	Method  string // "INVITE" or "UPDATE"
	SDP     []byte // nil: no body (an UPDATE that only refreshes the session)
	Headers []Header
}

// Reply is the callee's final answer to a Refresh.
type Reply struct {
	Code           int
	Reason         string
	SDP            []byte
	SessionExpires string // raw header values, "" when absent
	MinSE          string
}

// Update sends r in the dialog and waits for the final answer. A digest challenge is answered
// once with a fresh request; a 2xx to a re-INVITE is ACKed (and re-ACKed on retransmission).
// While the callee's own re-INVITE is being answered, a re-INVITE of ours would be glare: it is
// not sent, and the Reply says 491 as the callee would.
func (s *session) Update(ctx context.Context, r Refresh) (*Reply, error) {
	if !s.answered() {
		return nil, fmt.Errorf("%w: %s before the answer", ErrNoDialog, r.Method)
	}
	method := sip.RequestMethod(r.Method)
	if method == sip.INVITE {
		if !s.startInviting() {
			return &Reply{Code: sip.StatusRequestPending, Reason: "Request Pending (ours not sent)"}, nil
		}
		defer s.stopInviting()
	}
	var auth sip.Header
	for attempt := 0; ; attempt++ {
		req := s.refreshRequest(method, r, auth)
		tx, err := s.s.TransactionRequest(ctx, req)
		if err != nil {
			return nil, err
		}
		res, err := finalResponse(ctx, tx)
		if method != sip.INVITE || err != nil || !res.IsSuccess() {
			tx.Terminate()
		}
		if err != nil {
			return nil, err
		}
		challenged := res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired
		if challenged && attempt == 0 && s.inv.Password != "" {
			if auth, err = credentials(res, method, req.Recipient, s.inv.AuthUser, s.inv.Password); err == nil {
				continue
			}
		}
		if method == sip.INVITE && res.IsSuccess() {
			s.ackRefresh(req, res, tx)
		}
		return &Reply{Code: res.StatusCode, Reason: res.Reason, SDP: res.Body(),
			SessionExpires: headerValues(res, "Session-Expires", "x"), MinSE: headerValues(res, "Min-SE")}, nil
	}
}

func (s *session) startInviting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serving || s.inviting {
		return false
	}
	s.inviting = true
	return true
}

func (s *session) stopInviting() {
	s.mu.Lock()
	s.inviting = false
	s.mu.Unlock()
}

// refreshRequest builds one attempt: sipgo's dialog adds From, To, Call-ID, the next CSeq, the
// route set and our Contact.
func (s *session) refreshRequest(method sip.RequestMethod, r Refresh, auth sip.Header) *sip.Request {
	req := sip.NewRequest(method, *s.remoteTarget())
	s.viaProxy(req)
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	for _, h := range r.Headers {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	if auth != nil {
		req.AppendHeader(auth)
	}
	if r.SDP != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.SetBody(r.SDP)
	return req
}

func finalResponse(ctx context.Context, tx sip.ClientTransaction) (*sip.Response, error) {
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrTimeout, err)
			}
			return nil, ErrTimeout
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ackRefresh ACKs a 2xx to our re-INVITE: same Request-URI, route and CSeq number as the
// INVITE, sent outside any transaction, and again whenever the 2xx is retransmitted.
func (s *session) ackRefresh(req *sip.Request, res *sip.Response, tx sip.ClientTransaction) {
	ack := sip.NewRequest(sip.ACK, *req.Recipient.Clone())
	for _, name := range []string{"From", "Call-ID", "Route", "Max-Forwards", "Contact"} {
		for _, h := range req.GetHeaders(name) {
			ack.AppendHeader(sip.HeaderClone(h))
		}
	}
	if to := res.To(); to != nil {
		ack.AppendHeader(sip.HeaderClone(to))
	}
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.ACK})
	ack.SetTransport(req.Transport())
	ack.SetDestination(req.Destination())
	ack.Laddr = req.Laddr
	ack.SetBody(nil)
	client := s.s.UA.Client
	template := ack.Clone()
	tx.OnRetransmission(func(r *sip.Response) {
		if r.IsSuccess() {
			_ = client.WriteRequest(template.Clone(), sipgo.ClientRequestAddVia)
		}
	})
	if err := client.WriteRequest(ack, sipgo.ClientRequestAddVia); err != nil {
		s.u.log.Warn("ACK of our re-INVITE", "callId", s.inv.CallID, "err", err)
	}
}
