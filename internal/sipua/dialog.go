package sipua

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Invite is what a call needs to place its INVITE.
type Invite struct {
	CallID      string // the SIP Call-ID: the spec's callId
	Callee      string // user part of the Request-URI
	Domain      string // host of the Request-URI and of From
	Port        int    // port of the Request-URI
	From        string // user part of From (sipLogin); "sipcast" when empty
	DisplayName string
	// Proxy is host[:port] of the outbound proxy; empty sends to Domain:Port directly. Every
	// request of the dialog goes through it: the INVITE carries Route <sip:proxy;lr>, and later
	// requests follow the Record-Route set, or the proxy again when it recorded none.
	Proxy string
	// AuthUser/Password answer 401/407 digest challenges.
	AuthUser, Password string
	SDP                []byte
	// Transport is TransportUDP (default), TransportTCP or TransportTLS.
	Transport string
	// SessionExpires and MinSE (seconds) ask for RFC 4028 session timers; 0 leaves them out.
	SessionExpires, MinSE int
}

// Session is one INVITE dialog, as the call actor sees it.
type Session interface {
	// WaitAnswer blocks until the final answer. onProvisional sees each 1xx, in order. Cancelling
	// ctx after a provisional sends CANCEL. A non-2xx final answer is a *FinalResponseError.
	WaitAnswer(ctx context.Context, onProvisional func(code int, reason string)) (sdp []byte, err error)
	Ack(ctx context.Context) error
	Bye(ctx context.Context) error
	// Ended is closed when the dialog ends: the callee's BYE, or our own BYE's answer.
	Ended() <-chan struct{}
	Close()
	// Answer describes the callee's 2xx (valid after WaitAnswer succeeded).
	Answer() AnswerInfo
	// Requests delivers the callee's in-dialog requests that the call answers: re-INVITE, UPDATE,
	// INFO, and an ACK that carries SDP (the answer to an offer we made in a 2xx).
	Requests() <-chan *Request
	// Update sends a target refresh (re-INVITE or UPDATE) in the dialog and waits for its final
	// answer; a 2xx to a re-INVITE is ACKed. Non-2xx answers are a Reply, not an error.
	Update(ctx context.Context, r Refresh) (*Reply, error)
}

// AnswerInfo is what the callee's 2xx said about the dialog, as raw header values.
type AnswerInfo struct {
	SessionExpires string // "" when the callee runs no session timer
	Allow          string // methods it takes, e.g. to know whether UPDATE may refresh
	Supported      string
	// Accept lists the bodies it takes in requests: a device naming application/dtmf but not
	// application/dtmf-relay gets its INFO digits as application/dtmf.
	Accept string
}

// FinalResponseError is a non-2xx final answer to the INVITE.
type FinalResponseError struct {
	Code   int
	Reason string
	// AuthSent: the request carried our credentials (a 401/407/403 then means they were refused).
	AuthSent bool
	// MinSE is the Min-SE of a 422 (Session Interval Too Small), in seconds.
	MinSE int
	// Accept is the Accept of a 415 (Unsupported Media Type): the bodies the device takes instead.
	Accept string
}

func (e *FinalResponseError) Error() string { return fmt.Sprintf("SIP %d %s", e.Code, e.Reason) }

// maxWaitRounds bounds how often WaitAnswer is re-entered after sipgo's "more than 10
// responses" guard: a callee that sends 183 updates while ringing is normal, one that sends
// hundreds is broken.
const maxWaitRounds = 20

// statusIntervalTooSmall is RFC 4028's 422 Session Interval Too Small (sipgo names only 423).
const statusIntervalTooSmall = 422

// max422 bounds the INVITEs re-sent with a larger Session-Expires after a 422: one is what RFC
// 4028 expects; a second covers a proxy and the callee each raising the floor.
const max422 = 2

// Invite sends the INVITE and returns the session; WaitAnswer follows.
func (u *UA) Invite(ctx context.Context, inv Invite) (Session, error) {
	tp, err := u.transport(inv.Transport)
	if err != nil {
		return nil, err
	}
	req, contact, proxy, err := u.buildInvite(inv, tp)
	if err != nil {
		return nil, err
	}
	dua := &sipgo.DialogUA{Client: tp.client, ContactHDR: contact}
	d, err := dua.WriteInvite(ctx, req)
	if err != nil {
		return nil, err
	}
	return &session{u: u, s: d, dua: dua, inv: inv, proxy: proxy,
		reqs: make(chan *Request, requestQueue), acks: make(chan uint32, 4), closed: make(chan struct{})}, nil
}

// allowed is our Allow header: what a callee may send us in the dialog.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO"

// proxyURI is the loose Route of the outbound proxy: <sip:host[:port];transport=…;lr>.
func proxyURI(hostport, transport string) (*sip.Uri, error) {
	host, port := hostport, 0
	if h, p, err := splitHostPort(hostport); err == nil {
		host, port = h, p
	}
	if host == "" {
		return nil, fmt.Errorf("%w: %q", ErrBadProxy, hostport)
	}
	uri := &sip.Uri{Scheme: "sip", Host: host, Port: port, UriParams: sip.NewParams()}
	if transport != "UDP" {
		uri.UriParams.Add("transport", strings.ToLower(transport))
	}
	uri.UriParams.Add("lr", "")
	return uri, nil
}

// session is a DialogClientSession with what sipgo leaves to its user: the callee's in-dialog
// requests, target refreshes in both directions, 422 retries, and routing through the proxy.
type session struct {
	u     *UA
	s     *sipgo.DialogClientSession
	dua   *sipgo.DialogUA
	inv   Invite
	proxy *sip.Uri // the outbound proxy's Route, nil when none

	reqs      chan *Request
	acks      chan uint32 // CSeq numbers of ACKs to our 2xx answers
	closed    chan struct{}
	closeOnce sync.Once

	mu         sync.Mutex
	target     *sip.Uri // the callee's current Contact: the 2xx's, then its target refreshes'
	remoteCSeq uint32
	serving    bool // a re-INVITE of the callee is being answered
	inviting   bool // a re-INVITE of ours is under way
}

func (s *session) WaitAnswer(ctx context.Context, onProvisional func(int, string)) ([]byte, error) {
	for retry := 0; ; retry++ {
		body, err := s.waitOnce(ctx, onProvisional)
		var fe *FinalResponseError
		if retry < max422 && errors.As(err, &fe) && fe.Code == statusIntervalTooSmall && fe.MinSE > 0 {
			if err := s.reinvite(ctx, fe.MinSE); err != nil {
				return nil, err
			}
			continue
		}
		return body, err
	}
}

// waitOnce waits for the final answer to the current INVITE, answering digest challenges: the
// first always, a second one only when it says the nonce was stale (RFC 7616 §3.3): a repeated
// challenge of the same nonce means the credentials were wrong, and retrying would not help.
func (s *session) waitOnce(ctx context.Context, onProvisional func(int, string)) ([]byte, error) {
	challenges := 0
	opts := sipgo.AnswerOptions{
		Username: s.inv.AuthUser,
		Password: s.inv.Password,
		OnResponse: func(res *sip.Response) error {
			if res.IsProvisional() && onProvisional != nil {
				onProvisional(res.StatusCode, res.Reason)
			}
			if chal := challengeOf(res); chal != "" && s.inv.Password != "" {
				challenges++
				if challenges > 1 && !stale(chal) {
					return &FinalResponseError{Code: res.StatusCode, Reason: res.Reason, AuthSent: true}
				}
			}
			return nil
		},
	}
	var err error
	for round := 0; round < maxWaitRounds; round++ {
		err = s.s.WaitAnswer(ctx, opts)
		// sipgo gives up after 10 responses; a callee still ringing has not failed.
		if err == nil || !strings.Contains(err.Error(), "more than 10 responses") {
			break
		}
	}
	if err != nil {
		return nil, s.answerError(ctx, err)
	}
	s.established()
	return s.s.InviteResponse.Body(), nil
}

// answerError turns sipgo's ways of failing into FinalResponseError, ErrTimeout or ctx's error.
func (s *session) answerError(ctx context.Context, err error) error {
	var fe *FinalResponseError
	if errors.As(err, &fe) {
		return fe
	}
	var dr *sipgo.ErrDialogResponse
	if errors.As(err, &dr) {
		return s.finalError(dr.Res)
	}
	if ctx.Err() != nil && s.s.InviteResponse != nil && !s.s.InviteResponse.IsProvisional() {
		// Cancelled: the callee's final answer to the INVITE is 487 (or whatever it sent).
		return fmt.Errorf("%w: %w", ctx.Err(), s.finalError(s.s.InviteResponse))
	}
	if errors.Is(err, sip.ErrTransactionTimeout) {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return err
}

func (s *session) finalError(res *sip.Response) *FinalResponseError {
	fe := &FinalResponseError{Code: res.StatusCode, Reason: res.Reason}
	req := s.s.InviteRequest
	fe.AuthSent = req.GetHeader("Authorization") != nil || req.GetHeader("Proxy-Authorization") != nil
	if h := res.GetHeader("Min-SE"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(strings.Split(h.Value(), ";")[0])); err == nil && n > 0 {
			fe.MinSE = n
		}
	}
	return fe
}

// reinvite sends the INVITE again after a 422, asking for minSE seconds: a new transaction of the
// same dialog attempt (same Call-ID and From tag, next CSeq), credentials kept.
func (s *session) reinvite(ctx context.Context, minSE int) error {
	req := s.s.InviteRequest.Clone()
	req.RemoveHeader("Via")
	req.RemoveHeader("Session-Expires")
	req.RemoveHeader("Min-SE")
	req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(max(minSE, s.inv.SessionExpires))))
	req.AppendHeader(sip.NewHeader("Min-SE", strconv.Itoa(minSE)))
	req.CSeq().SeqNo = s.s.CSEQ() + 1
	d, err := s.dua.WriteInvite(ctx, req)
	if err != nil {
		return err
	}
	s.s = d
	return nil
}

// established registers the dialog for in-dialog requests and takes the callee's Contact as
// the target of ours.
func (s *session) established() {
	res := s.s.InviteResponse
	s.mu.Lock()
	if c := res.Contact(); c != nil {
		s.target = c.Address.Clone()
	} else {
		s.target = s.s.InviteRequest.Recipient.Clone()
	}
	s.mu.Unlock()
	s.u.dialogs.Store(s.s.ID, s)
}

func (s *session) Answer() AnswerInfo {
	res := s.s.InviteResponse
	if res == nil {
		return AnswerInfo{}
	}
	return AnswerInfo{SessionExpires: headerValues(res, "Session-Expires", "x"),
		Allow: headerValues(res, "Allow"), Supported: headerValues(res, "Supported", "k"),
		Accept: headerValues(res, "Accept")}
}

// Ack acknowledges the 2xx, through the proxy when it recorded no route.
func (s *session) Ack(ctx context.Context) error {
	ack := sip.NewRequest(sip.ACK, *s.remoteTarget())
	s.viaProxy(ack)
	return s.s.WriteAck(ctx, ack)
}

// Bye ends the dialog: to the callee's current Contact, through the route set or the proxy.
func (s *session) Bye(ctx context.Context) error {
	if !s.answered() {
		return s.s.Bye(ctx) // sipgo explains why there is no dialog to end
	}
	bye := sip.NewRequest(sip.BYE, *s.remoteTarget())
	s.viaProxy(bye)
	err := s.s.WriteBye(ctx, bye)
	var dr sipgo.ErrDialogResponse
	if errors.As(err, &dr) {
		return &FinalResponseError{Code: dr.Res.StatusCode, Reason: dr.Res.Reason}
	}
	return err
}

// answered reports whether the 2xx came: the dialog exists.
func (s *session) answered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target != nil
}

// remoteTarget is the Request-URI of our in-dialog requests.
func (s *session) remoteTarget() *sip.Uri {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.target == nil {
		return s.s.InviteRequest.Recipient.Clone()
	}
	return s.target.Clone()
}

// viaProxy sends an in-dialog request through the outbound proxy when the callee's 2xx carried
// no Record-Route (with one, sipgo builds the route set, which starts at the proxy anyway).
func (s *session) viaProxy(req *sip.Request) {
	if s.proxy == nil || len(s.s.InviteResponse.GetHeaders("Record-Route")) > 0 {
		return
	}
	req.AppendHeader(&sip.RouteHeader{Address: *s.proxy.Clone()})
}

func (s *session) Ended() <-chan struct{} { return s.s.Context().Done() }

func (s *session) Requests() <-chan *Request { return s.reqs }

func (s *session) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.s.ID != "" {
			s.u.dialogs.CompareAndDelete(s.s.ID, s)
		}
		_ = s.s.Close()
	})
}

// challengeOf returns the digest challenge of a 401 or 407, "" for any other response.
func challengeOf(res *sip.Response) string {
	name := ""
	switch res.StatusCode {
	case sip.StatusUnauthorized:
		name = "WWW-Authenticate"
	case sip.StatusProxyAuthRequired:
		name = "Proxy-Authenticate"
	default:
		return ""
	}
	if h := res.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// stale reports whether a challenge says stale=true: the nonce expired, the password was right.
func stale(challenge string) bool {
	for p := range strings.SplitSeq(challenge, ",") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "stale") && strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"`), "true") {
			return true
		}
	}
	return false
}

// headerValues joins every value of a header (under any of its names, full or compact) with ", ".
func headerValues(m sip.Message, names ...string) string {
	var vals []string
	for _, n := range names {
		for _, h := range m.GetHeaders(n) {
			vals = append(vals, h.Value())
		}
	}
	return strings.Join(vals, ", ")
}
