package sipua

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

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
	// Proxy is host[:port] of the outbound proxy; empty sends to Domain:Port directly.
	Proxy string
	// AuthUser/Password answer 401/407 digest challenges.
	AuthUser, Password string
	SDP                []byte
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
}

// FinalResponseError is a non-2xx final answer to the INVITE.
type FinalResponseError struct {
	Code   int
	Reason string
}

func (e *FinalResponseError) Error() string { return fmt.Sprintf("SIP %d %s", e.Code, e.Reason) }

// maxWaitRounds bounds how often WaitAnswer is re-entered after sipgo's "more than 10
// responses" guard: a callee that sends 183 updates while ringing is normal, one that sends
// hundreds is broken.
const maxWaitRounds = 20

// Invite sends the INVITE and returns the session; WaitAnswer follows.
func (u *UA) Invite(ctx context.Context, inv Invite) (Session, error) {
	ruri := sip.Uri{Scheme: "sip", User: inv.Callee, Host: inv.Domain, Port: inv.Port}
	req := sip.NewRequest(sip.INVITE, ruri)
	from := inv.From
	if from == "" {
		from = "sipcast"
	}
	fromHdr := &sip.FromHeader{DisplayName: inv.DisplayName, Address: sip.Uri{Scheme: "sip", User: from, Host: inv.Domain}}
	fromHdr.Params = sip.NewParams()
	fromHdr.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(fromHdr)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: inv.Callee, Host: inv.Domain}})
	callID := sip.CallIDHeader(inv.CallID)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: from, Host: u.cfg.ContactIP, Port: u.Addr().Port}})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"))
	req.SetBody(inv.SDP)
	if inv.Proxy != "" {
		req.SetDestination(withDefaultPort(inv.Proxy, 5060))
	}
	s, err := u.cache.WriteInvite(ctx, req)
	if err != nil {
		return nil, err
	}
	return &session{s: s, inv: inv}, nil
}

func withDefaultPort(hostport string, port int) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), strconv.Itoa(port))
}

type session struct {
	s   *sipgo.DialogClientSession
	inv Invite
}

func (s *session) WaitAnswer(ctx context.Context, onProvisional func(int, string)) ([]byte, error) {
	opts := sipgo.AnswerOptions{
		Username: s.inv.AuthUser,
		Password: s.inv.Password,
		OnResponse: func(res *sip.Response) error {
			if res.IsProvisional() && onProvisional != nil {
				onProvisional(res.StatusCode, res.Reason)
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
		var dr *sipgo.ErrDialogResponse
		if errors.As(err, &dr) {
			return nil, &FinalResponseError{Code: dr.Res.StatusCode, Reason: dr.Res.Reason}
		}
		if ctx.Err() != nil && s.s.InviteResponse != nil && !s.s.InviteResponse.IsProvisional() {
			// Cancelled: the callee's final answer to the INVITE is 487 (or whatever it sent).
			r := s.s.InviteResponse
			return nil, fmt.Errorf("%w: %w", ctx.Err(), &FinalResponseError{Code: r.StatusCode, Reason: r.Reason})
		}
		if errors.Is(err, sip.ErrTransactionTimeout) {
			return nil, fmt.Errorf("%w: %v", ErrTimeout, err)
		}
		return nil, err
	}
	return s.s.InviteResponse.Body(), nil
}

func (s *session) Ack(ctx context.Context) error { return s.s.Ack(ctx) }

func (s *session) Bye(ctx context.Context) error {
	err := s.s.Bye(ctx)
	var dr sipgo.ErrDialogResponse
	if errors.As(err, &dr) {
		return &FinalResponseError{Code: dr.Res.StatusCode, Reason: dr.Res.Reason}
	}
	return err
}

func (s *session) Ended() <-chan struct{} { return s.s.Context().Done() }

func (s *session) Close() { _ = s.s.Close() }
