package playback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadToken: a playback token that is malformed, expired, for another stream, or not signed
// with the server's secret.
var ErrBadToken = errors.New("bad playback token")

// MakeToken returns a playback token for stream, valid until expiry: "EXPIRY.SIGNATURE", where
// EXPIRY is Unix seconds and SIGNATURE the base64url HMAC-SHA256 of "stream\nEXPIRY" under
// secret. It lets a public page embed one stream without the REST API's credentials.
func MakeToken(secret []byte, stream string, expiry time.Time) string {
	exp := strconv.FormatInt(expiry.Unix(), 10)
	return exp + "." + sign(secret, stream, exp)
}

// CheckToken verifies a token for stream at now.
func CheckToken(secret []byte, stream, token string, now time.Time) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no playback secret is set", ErrBadToken)
	}
	exp, sig, ok := strings.Cut(token, ".")
	if !ok || len(exp) > 12 || len(sig) > 64 {
		return fmt.Errorf("%w: malformed", ErrBadToken)
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: malformed expiry", ErrBadToken)
	}
	if !hmac.Equal([]byte(sig), []byte(sign(secret, stream, exp))) {
		return fmt.Errorf("%w: wrong signature or stream", ErrBadToken)
	}
	if now.Unix() > unix {
		return fmt.Errorf("%w: expired", ErrBadToken)
	}
	return nil
}

func sign(secret []byte, stream, exp string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(stream + "\n" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
