package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a notification POST besides Content-Type and the optional Authorization.
const (
	HeaderEvent     = "X-Sipcast-Event"
	HeaderEventID   = "X-Sipcast-Event-Id"
	HeaderSignature = "X-Sipcast-Signature"
)

// maxResponseRead bounds what is read of an app's answer: only its status matters, but reading
// a little lets the connection be reused.
const maxResponseRead = 64 << 10

// EventURL is where an event goes: the app URL, a slash, the event name.
func EventURL(appURL, event string) string {
	return strings.TrimRight(appURL, "/") + "/" + event
}

// Sign returns the X-Sipcast-Signature value for body sent at unix time ts:
// "t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>". Signing the time with the body lets a
// receiver refuse a replayed notification by its age.
func Sign(secret []byte, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	t := strconv.FormatInt(ts, 10)
	mac.Write([]byte(t))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature made by Sign, in constant time; maxAge > 0 also refuses old ones.
func Verify(secret []byte, header string, body []byte, now time.Time, maxAge time.Duration) bool {
	var ts int64
	var sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts, _ = strconv.ParseInt(v, 10, 64)
		case "v1":
			sig = v
		}
	}
	if ts == 0 || sig == "" {
		return false
	}
	if maxAge > 0 && now.Sub(time.Unix(ts, 0)).Abs() > maxAge {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte("t="+strconv.FormatInt(ts, 10)+",v1="+sig))
}

// post sends one event and classifies the outcome: nil, ErrRejected or ErrUnavailable (wrapped
// with the detail).
func post(ctx context.Context, cfg *Config, d *deliver) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, EventURL(d.url, d.ev.Name), bytes.NewReader(d.ev.Body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sipcast")
	req.Header.Set(HeaderEvent, d.ev.Name)
	req.Header.Set(HeaderEventID, strconv.FormatUint(d.ev.ID, 10))
	if cfg.Authorization != "" {
		req.Header.Set("Authorization", cfg.Authorization)
	}
	if cfg.Secret != "" {
		req.Header.Set(HeaderSignature, Sign([]byte(cfg.Secret), cfg.Now().Unix(), d.ev.Body))
	}
	res, err := cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxResponseRead))
	_ = res.Body.Close()
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return fmt.Errorf("%w: HTTP %d", ErrUnavailable, code)
	default:
		return fmt.Errorf("%w: HTTP %d", ErrRejected, code)
	}
}

// newClient is the HTTP client of the dispatcher: a per-attempt timeout, no redirects (a POST
// redirected would lose its body), connections kept per app host.
func newClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
