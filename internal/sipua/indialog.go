package sipua

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// requestQueue bounds the callee's requests waiting for the call actor: a device sends one at a
// time (a second re-INVITE waits for the first's ACK), INFO digits a few per second.
const requestQueue = 8

const (
	// deliverTimeout bounds the wait for room in the call's queue, and answerTimeout the wait for
	// the call's answer: the actor answers from its mailbox at once, so either running out means
	// the call is stuck or gone, and the callee gets 500 rather than silence.
	deliverTimeout = 2 * time.Second
	answerTimeout  = 8 * time.Second
)

// statusDecline is 603 Decline: the answer to an INVITE that would start a call to us.
const statusDecline = 603

// Header is one header field of a request or response.
type Header struct {
	Name, Value string
}

// Request is one in-dialog request of the callee, for the call to answer with Respond.
type Request struct {
	Method string
	Body   []byte
	hdr    []Header
	res    chan Response
	once   sync.Once
}

// Response is the call's answer to a Request. Reason defaults to the standard phrase.
type Response struct {
	Code        int
	Reason      string
	Body        []byte
	ContentType string
	Headers     []Header
}

// NewRequest makes a Request; sipua makes them from the wire, tests by hand.
func NewRequest(method string, body []byte, headers ...Header) *Request {
	return &Request{Method: method, Body: body, hdr: headers, res: make(chan Response, 1)}
}

// Header returns every value of a header, joined with ", "; "" when absent. Names compare
// case-insensitively.
func (r *Request) Header(name string) string {
	var vals []string
	for _, h := range r.hdr {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, h.Value)
		}
	}
	return strings.Join(vals, ", ")
}

// ContentType is the body's media type, parameters dropped, lower-cased.
func (r *Request) ContentType() string {
	ct, _, _ := strings.Cut(r.Header("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// Respond answers the request; it never blocks, and only the first answer counts. An ACK needs
// none.
func (r *Request) Respond(res Response) {
	r.once.Do(func() { r.res <- res })
}

// Answered returns the answer once given: for sipua, and for tests that play the callee.
func (r *Request) Answered() <-chan Response { return r.res }

// fromSIP copies what the call may look at: the method, the body, the headers.
func fromSIP(req *sip.Request) *Request {
	r := NewRequest(req.Method.String(), req.Body())
	for _, h := range req.Headers() {
		r.hdr = append(r.hdr, Header{Name: h.Name(), Value: h.Value()})
	}
	return r
}

// routeRequests installs the server's handlers: requests of a live dialog go to it; a request
// naming a dialog we do not have gets 481; a new INVITE is declined: sipcast only places calls.
func (u *UA) routeRequests() {
	u.server.OnBye(u.onBye)
	u.server.OnOptions(u.onOptions)
	u.server.OnAck(u.onAck)
	for _, m := range []sip.RequestMethod{sip.INVITE, sip.UPDATE, sip.INFO} {
		u.server.OnRequest(m, u.onRequest)
	}
}

// lookup finds the dialog of a request from the callee; nil when none.
func (u *UA) lookup(req *sip.Request) *session {
	id, err := sip.DialogIDFromRequestUAC(req)
	if err != nil {
		return nil
	}
	if v, ok := u.dialogs.Load(id); ok {
		return v.(*session)
	}
	return nil
}

func inDialog(req *sip.Request) bool {
	to := req.To()
	if to == nil {
		return false
	}
	_, ok := to.Params.Get("tag")
	return ok
}

func (u *UA) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		u.log.Debug("respond", "method", req.Method, "code", code, "err", err)
	}
}

func (u *UA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if s := u.lookup(req); s != nil {
		// Which way the BYE came (over our connection, or one the peer opened to our listener)
		// is what tells a routing problem of a TLS or TCP dialog apart; one line per call.
		u.log.Info("callee's BYE", "callId", s.inv.CallID, "transport", req.Transport(), "from", req.Source())
		if err := s.s.ReadBye(req, tx); err != nil {
			u.log.Debug("answer BYE", "err", err)
		}
		return
	}
	// No dialog of ours: RFC 3261 §15.1.2 says 481.
	u.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

// onOptions answers OPTIONS in and out of dialog (a keepalive or capability query) with what we
// take; in a dialog we do not know, 481.
func (u *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	if inDialog(req) && u.lookup(req) == nil {
		u.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	u.respond(req, tx, sip.StatusOK, "OK", sip.NewHeader("Allow", allowed),
		sip.NewHeader("Accept", "application/sdp, application/dtmf-relay, application/dtmf"),
		sip.NewHeader("Supported", "timer"))
}

func (u *UA) onAck(req *sip.Request, _ sip.ServerTransaction) {
	if s := u.lookup(req); s != nil {
		s.ack(req)
	}
}

func (u *UA) onRequest(req *sip.Request, tx sip.ServerTransaction) {
	if !inDialog(req) {
		if req.IsInvite() {
			u.respond(req, tx, statusDecline, "Decline")
			return
		}
		u.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	s := u.lookup(req)
	if s == nil {
		u.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	s.serve(req, tx)
}

// serve hands a request to the call and sends its answer. It runs in sipgo's goroutine for the
// request, which may block: for a 2xx to a re-INVITE it retransmits until the ACK (RFC 3261
// §13.3.1.4 makes that the UAS core's job, and sipgo's transaction leaves it to us).
func (s *session) serve(req *sip.Request, tx sip.ServerTransaction) {
	cseq := req.CSeq().SeqNo
	invite := req.IsInvite()
	if code, reason, hdrs := s.admit(cseq, invite); code != 0 {
		s.u.respond(req, tx, code, reason, hdrs...)
		return
	}
	if invite {
		defer s.setServing(false)
	}
	if invite || req.Method == sip.UPDATE {
		s.refreshTarget(req)
	}
	r := fromSIP(req)
	select {
	case s.reqs <- r:
	case <-s.closed:
		s.u.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	case <-time.After(deliverTimeout):
		s.u.respond(req, tx, sip.StatusInternalServerError, "Server Internal Error", sip.NewHeader("Retry-After", "1"))
		return
	}
	var ans Response
	select {
	case ans = <-r.res:
	case <-s.closed:
		s.u.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	case <-time.After(answerTimeout):
		s.u.respond(req, tx, sip.StatusInternalServerError, "Server Internal Error", sip.NewHeader("Retry-After", "1"))
		return
	}
	res := s.response(req, ans)
	if err := tx.Respond(res); err != nil {
		s.u.log.Debug("answer in-dialog request", "method", req.Method, "err", err)
		return
	}
	if invite && res.IsSuccess() {
		s.awaitAck(tx, res, cseq)
	}
}

// admit checks a request against the dialog's state: CSeq order (RFC 3261 §12.2.2) and, for a
// re-INVITE, glare with ours (491, §14.2) or with one of the callee's still unanswered (500 with
// Retry-After, §14.2). It returns 0 when the request may proceed.
func (s *session) admit(cseq uint32, invite bool) (int, string, []sip.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.remoteCSeq != 0 && cseq <= s.remoteCSeq {
		return sip.StatusInternalServerError, "CSeq Out Of Order", nil
	}
	if invite {
		switch {
		case s.inviting:
			return sip.StatusRequestPending, "Request Pending", nil
		case s.serving:
			return sip.StatusInternalServerError, "Server Internal Error", []sip.Header{sip.NewHeader("Retry-After", strconv.Itoa(1+int(cseq%10)))}
		}
		s.serving = true
	}
	s.remoteCSeq = cseq
	return 0, "", nil
}

func (s *session) setServing(v bool) {
	s.mu.Lock()
	s.serving = v
	s.mu.Unlock()
}

// refreshTarget takes the Contact of a target refresh request as the new remote target.
func (s *session) refreshTarget(req *sip.Request) {
	if c := req.Contact(); c != nil {
		s.mu.Lock()
		s.target = c.Address.Clone()
		s.mu.Unlock()
	}
}

func (s *session) response(req *sip.Request, ans Response) *sip.Response {
	reason := ans.Reason
	if reason == "" {
		reason = statusText(ans.Code)
	}
	res := sip.NewResponseFromRequest(req, ans.Code, reason, nil)
	for _, h := range ans.Headers {
		res.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	if ans.Code >= 200 && ans.Code < 300 && (req.IsInvite() || req.Method == sip.UPDATE) {
		contact := s.s.InviteRequest.Contact()
		res.AppendHeader(sip.HeaderClone(contact))
		res.AppendHeader(sip.NewHeader("Allow", allowed))
	}
	if len(ans.Body) > 0 {
		ct := ans.ContentType
		if ct == "" {
			ct = "application/sdp"
		}
		res.AppendHeader(sip.NewHeader("Content-Type", ct))
	}
	res.SetBody(ans.Body)
	return res
}

// awaitAck retransmits a 2xx to a re-INVITE, T1 doubling to T2, until its ACK or 64*T1.
func (s *session) awaitAck(tx sip.ServerTransaction, res *sip.Response, cseq uint32) {
	interval := sip.T1
	retransmit := time.NewTimer(interval)
	defer retransmit.Stop()
	giveUp := time.After(64 * sip.T1)
	reliable := sip.IsReliable(res.Transport())
	for {
		select {
		case n := <-s.acks:
			if n == cseq {
				return
			}
		case <-retransmit.C:
			if !reliable {
				if err := tx.Respond(res); err != nil {
					return
				}
			}
			interval = min(2*interval, sip.T2)
			retransmit.Reset(interval)
		case <-giveUp:
			s.u.log.Warn("no ACK for our 2xx to a re-INVITE", "callId", s.inv.CallID)
			return
		case <-s.closed:
			return
		}
	}
}

// ack takes an ACK of the callee: it ends the 2xx retransmissions, and an SDP in it is the answer
// to an offer we made in that 2xx, which the call must apply.
func (s *session) ack(req *sip.Request) {
	select {
	case s.acks <- req.CSeq().SeqNo:
	default:
	}
	if len(req.Body()) == 0 {
		return
	}
	r := fromSIP(req)
	r.Respond(Response{}) // nothing is sent for an ACK
	select {
	case s.reqs <- r:
	case <-s.closed:
	case <-time.After(deliverTimeout):
		s.u.log.Warn("SDP of an ACK dropped: the call did not take it", "callId", s.inv.CallID)
	}
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 415:
		return "Unsupported Media Type"
	case 422:
		return "Session Interval Too Small"
	case 488:
		return "Not Acceptable Here"
	case 491:
		return "Request Pending"
	case 500:
		return "Server Internal Error"
	case 501:
		return "Not Implemented"
	}
	return "Unknown"
}
