package rtmpurl

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks: no panic, every error a sentinel, and for accepted
// input: the parts within limits, a client URL that re-parses to the same
// target and key, and no password in the key, the play URL or the redacted
// form.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.url, c.stream)
	}
	f.Fuzz(func(t *testing.T, rawURL, stream string) {
		tg, err := Parse(rawURL, stream)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) && !errors.Is(err, ErrInvalidStream) {
				t.Fatalf("error %v is no sentinel", err)
			}
			return
		}
		if tg.App == "" || tg.Stream != stream || strings.HasPrefix(tg.App, "/") || strings.HasSuffix(tg.App, "/") {
			t.Fatalf("bad target %+v", tg)
		}
		if len(tg.Key()) > MaxURLLength+MaxStreamLength+len("#:65535") {
			t.Fatalf("key of %d bytes", len(tg.Key()))
		}
		checkStable(t, tg)
		if pw, ok := tg.User.Password(); ok && len(pw) > 3 {
			for _, s := range []string{tg.Key(), tg.PlayURL(), tg.Redacted()} {
				if strings.Contains(s, pw) && !strings.Contains(tg.Host+tg.App+tg.Query+tg.Stream+tg.User.Username(), pw) {
					t.Fatalf("password leaks into %q", s)
				}
			}
		}
	})
}
