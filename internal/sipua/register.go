package sipua

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Registration is a binding to keep at a registrar: User@Domain reachable at our Contact.
type Registration struct {
	CallID    string // the REGISTER Call-ID, the same for every refresh (RFC 3261 §10.2.4)
	User      string // sipLogin: the address-of-record's user and the Contact's
	Domain    string // the registrar's domain: Request-URI sip:Domain[:Port]
	Port      int    // 0 omits it
	Proxy     string // host[:port] of the outbound proxy; empty sends to Domain
	AuthUser  string
	Password  string
	Transport string
}

// RegisterResult is a registrar's final answer.
type RegisterResult struct {
	Code    int
	Reason  string
	Expires int // seconds granted (0 after an unregistration or a refusal)
	// AuthSent: the refused request carried our credentials (401/403 then means wrong ones).
	AuthSent bool
}

// Binding sends the REGISTERs of one Registration: the first, its refreshes, and the last
// (expires 0). Safe for one caller at a time.
type Binding interface {
	Register(ctx context.Context, expires int) (RegisterResult, error)
}

// maxRegisterAttempts bounds one Register call's requests: a challenge answered, a stale nonce
// answered once more, a 423 raised once.
const maxRegisterAttempts = 4

type binding struct {
	u     *UA
	reg   Registration
	tp    transport
	proxy *sip.Uri
	tag   string
	mu    sync.Mutex
	cseq  uint32
}

// Bind prepares the REGISTERs of reg; nothing is sent yet.
func (u *UA) Bind(reg Registration) (Binding, error) {
	tp, err := u.transport(reg.Transport)
	if err != nil {
		return nil, err
	}
	b := &binding{u: u, reg: reg, tp: tp, tag: sip.GenerateTagN(16), cseq: 1}
	if reg.Proxy != "" {
		if b.proxy, err = proxyURI(reg.Proxy, tp.name); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Register sends REGISTER asking for expires seconds (0 removes the binding) and answers digest
// challenges: the first always, another only for a stale nonce (a repeated one means wrong
// credentials). A 423 is retried with the registrar's Min-Expires.
func (b *binding) Register(ctx context.Context, expires int) (RegisterResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var auth sip.Header
	challenges := 0
	for attempt := 0; attempt < maxRegisterAttempts; attempt++ {
		req := b.request(expires, auth)
		res, err := b.u.do(ctx, b.tp, req)
		if err != nil {
			return RegisterResult{}, err
		}
		result := RegisterResult{Code: res.StatusCode, Reason: res.Reason, AuthSent: auth != nil}
		switch chal := challengeOf(res); {
		case res.IsSuccess():
			result.Expires = b.granted(res, expires)
			return result, nil
		case chal != "" && b.reg.Password != "":
			challenges++
			if challenges > 1 && !stale(chal) {
				return result, nil
			}
			if auth, err = credentials(res, sip.REGISTER, req.Recipient, b.reg.AuthUser, b.reg.Password); err != nil {
				return result, err
			}
		case res.StatusCode == sip.StatusIntervalToBrief && expires > 0:
			n, err := strconv.Atoi(strings.TrimSpace(headerValues(res, "Min-Expires")))
			if err != nil || n <= expires {
				return result, nil
			}
			expires = n
		default:
			return result, nil
		}
	}
	return RegisterResult{}, fmt.Errorf("%w: REGISTER of %s@%s: %d attempts", ErrAuth, b.reg.User, b.reg.Domain, maxRegisterAttempts)
}

// request builds one REGISTER: same Call-ID and From tag as the binding's others, next CSeq.
func (b *binding) request(expires int, auth sip.Header) *sip.Request {
	r := b.reg
	ruri := sip.Uri{Scheme: "sip", Host: r.Domain, Port: r.Port}
	if b.tp.name != "UDP" {
		ruri.UriParams = sip.NewParams()
		ruri.UriParams.Add("transport", strings.ToLower(b.tp.name))
	}
	req := sip.NewRequest(sip.REGISTER, ruri)
	aor := sip.Uri{Scheme: "sip", User: r.User, Host: r.Domain}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", b.tag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	callID := sip.CallIDHeader(r.CallID)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: b.cseq, MethodName: sip.REGISTER})
	b.cseq++
	contact := b.u.contact(r.User, b.tp)
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	if b.proxy != nil {
		req.AppendHeader(&sip.RouteHeader{Address: *b.proxy.Clone()})
	}
	if auth != nil {
		req.AppendHeader(auth)
	}
	req.SetTransport(b.tp.name)
	return req
}

// granted is the registrar's expiry for our Contact: its expires parameter, else the Expires
// header, else what we asked for (RFC 3261 §10.2.4).
func (b *binding) granted(res *sip.Response, asked int) int {
	mine := b.u.contact(b.reg.User, b.tp).Address
	for _, h := range res.GetHeaders("Contact") {
		for _, c := range strings.Split(h.Value(), ",") {
			var ch sip.ContactHeader
			if _, err := sip.ParseAddressValue(strings.TrimSpace(c), &ch.Address, &ch.Params); err != nil {
				continue
			}
			if ch.Address.Host != mine.Host || ch.Address.Port != mine.Port || ch.Address.User != mine.User {
				continue
			}
			if v, ok := ch.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
			}
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(headerValues(res, "Expires"))); err == nil {
		return n
	}
	return asked
}

// do sends a request outside any dialog and returns its final answer.
func (u *UA) do(ctx context.Context, tp transport, req *sip.Request) (*sip.Response, error) {
	tx, err := tp.client.TransactionRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	return finalResponse(ctx, tx)
}
