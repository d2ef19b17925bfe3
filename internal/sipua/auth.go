package sipua

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// credentials answers a 401 or 407 challenge (RFC 3261 §22, RFC 7616: MD5 or SHA-256, qop=auth):
// the header to add to the next attempt, by name. sipgo does this for the INVITE itself; REGISTER
// and in-dialog requests come here, so the next attempt can be a fresh request with its own CSeq.
func credentials(res *sip.Response, method sip.RequestMethod, uri sip.Uri, user, password string) (sip.Header, error) {
	chalName, credName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == sip.StatusProxyAuthRequired {
		chalName, credName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := res.GetHeader(chalName)
	if h == nil {
		return nil, fmt.Errorf("%w: %d without %s", ErrAuth, res.StatusCode, chalName)
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		return nil, fmt.Errorf("%w: challenge %q: %v", ErrAuth, h.Value(), err)
	}
	chal.Algorithm = strings.ToUpper(chal.Algorithm)
	cred, err := digest.Digest(chal, digest.Options{Method: method.String(), URI: uri.Addr(), Username: user, Password: password})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAuth, err)
	}
	return sip.NewHeader(credName, cred.String()), nil
}
