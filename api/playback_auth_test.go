package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/playback"
)

type denyAll struct{}

func (denyAll) Authenticate(string, string) bool { return false }

type okWHEP struct{}

func (okWHEP) Offer(context.Context, string, []byte) (string, string, error) {
	return "id1", "v=0", nil
}
func (okWHEP) Delete(context.Context, string, string) error { return nil }

// In production a valid playback token opens one stream's player, WHEP and HLS without the
// credentials — not another stream's, not the REST API; the cookie it sets carries it to the
// session's DELETE.
func TestPlaybackToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	secret := []byte("s3cret")
	app := New(Config{Auth: denyAll{}, PlaybackSecret: secret, WHEP: okWHEP{}, Pages: true,
		Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, newFake())
	good := playback.MakeToken(secret, "s1", now.Add(time.Hour))
	do := func(method, target, cookie string) *http.Response {
		req := httptest.NewRequest(method, target, strings.NewReader("v=0"))
		req.Header.Set("Content-Type", "application/sdp")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, tc := range []struct {
		method, target string
		want           int
	}{
		{"POST", "/whep/s1?token=" + good, http.StatusCreated},
		{"GET", "/play/s1?token=" + good, http.StatusOK},
		{"GET", "/ui/whep.js", http.StatusOK},
		{"POST", "/whep/s2?token=" + good, http.StatusUnauthorized},
		{"POST", "/whep/s1", http.StatusUnauthorized},
		{"POST", "/whep/s1?token=" + playback.MakeToken(secret, "s1", now.Add(-time.Minute)), http.StatusUnauthorized},
		{"POST", "/rest-api/call/find_all?token=" + good, http.StatusUnauthorized},
		{"GET", "/?token=" + good, http.StatusUnauthorized},
	} {
		if res := do(tc.method, tc.target, ""); res.StatusCode != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.target, res.StatusCode, tc.want)
		}
	}
	res := do("POST", "/whep/s1?token="+good, "")
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == tokenCookie && c.Path == "/whep/s1/" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatalf("no cookie for the session: %v", res.Header["Set-Cookie"])
	}
	if res := do("DELETE", "/whep/s1/id1", cookie); res.StatusCode != http.StatusOK {
		t.Errorf("DELETE with the cookie: %d", res.StatusCode)
	}
}
