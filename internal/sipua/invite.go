package sipua

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/sipcast/sipcast/protocol/sipheader"
)

// buildInvite makes the INVITE of inv, before sipgo adds Via, Max-Forwards and CSeq. Every
// value from the client was checked against RFC 3261's grammar at the REST edge
// (callapi.StartupRequest.Validate); the display name is escaped here, where it is quoted.
func (u *UA) buildInvite(inv Invite, tp transport) (*sip.Request, sip.ContactHeader, *sip.Uri, error) {
	ruri := sip.Uri{Scheme: "sip", User: inv.Callee, Host: inv.Domain, Port: inv.Port}
	if tp.name != "UDP" {
		ruri.UriParams = sip.NewParams()
		ruri.UriParams.Add("transport", strings.ToLower(tp.name))
	}
	req := sip.NewRequest(sip.INVITE, ruri)
	from := inv.From
	if from == "" {
		from = "sipcast"
	}
	fromHdr := &sip.FromHeader{DisplayName: sipheader.QuoteDisplayName(inv.DisplayName),
		Address: sip.Uri{Scheme: "sip", User: from, Host: inv.Domain}}
	fromHdr.Params = sip.NewParams()
	fromHdr.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(fromHdr)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: inv.Callee, Host: inv.Domain}})
	callID := sip.CallIDHeader(inv.CallID)
	req.AppendHeader(&callID)
	contact := u.contact(from, tp)
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	if inv.SessionExpires > 0 {
		req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(inv.SessionExpires)))
		if inv.MinSE > 0 {
			req.AppendHeader(sip.NewHeader("Min-SE", strconv.Itoa(inv.MinSE)))
		}
	}
	var proxy *sip.Uri
	if inv.Proxy != "" {
		var err error
		if proxy, err = proxyURI(inv.Proxy, tp.name); err != nil {
			return nil, contact, nil, err
		}
		req.AppendHeader(&sip.RouteHeader{Address: *proxy})
	}
	req.SetTransport(tp.name)
	req.SetBody(inv.SDP)
	return req, contact, proxy, nil
}
