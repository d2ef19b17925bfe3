package rtmpurl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCases(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.url, c.stream)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("error %v, want %v", err, c.wantErr)
				}
				if c.wantErr != ErrInvalidStream && !errors.Is(err, ErrInvalidURL) {
					t.Fatalf("URL error %v does not wrap ErrInvalidURL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			user := ""
			if got.User != nil {
				user = got.User.String()
			}
			if got.Scheme != c.scheme || got.Host != c.host || got.App != c.app || got.Query != c.query || got.Stream != c.stream || user != c.user {
				t.Fatalf("got %+v (user %q)", got, user)
			}
			for name, pair := range map[string][2]string{
				"ClientURL": {got.ClientURL().String(), c.client},
				"Key":       {got.Key(), c.key},
				"Redacted":  {got.Redacted(), c.redacted},
				"PlayURL":   {got.PlayURL(), c.play},
			} {
				if pair[0] != pair[1] {
					t.Errorf("%s = %q, want %q", name, pair[0], pair[1])
				}
			}
			checkStable(t, got)
		})
	}
}

func TestParseTooLong(t *testing.T) {
	if _, err := Parse("rtmp://h/"+strings.Repeat("a", MaxURLLength), "s"); !errors.Is(err, ErrInvalidURL) {
		t.Fatalf("long URL: %v", err)
	}
	if _, err := Parse("rtmp://h/live", strings.Repeat("s", MaxStreamLength+1)); !errors.Is(err, ErrInvalidStream) {
		t.Fatalf("long stream: %v", err)
	}
}

func TestKeyMergesSpellings(t *testing.T) {
	a, _ := Parse("rtmp://LocalHost/live/", "s")
	b, _ := Parse("rtmp://localhost:1935/live", "s")
	c, _ := Parse("rtmp://user:pw@localhost:1935//live", "s")
	if a.Key() != b.Key() || b.Key() != c.Key() {
		t.Fatalf("%q %q %q", a.Key(), b.Key(), c.Key())
	}
	d, _ := Parse("rtmp://localhost:1935/live", "t")
	e, _ := Parse("rtmp://localhost:1935/live?x=1", "s")
	f, _ := Parse("rtmp://localhost:1936/live", "s")
	for _, other := range []Target{d, e, f} {
		if other.Key() == b.Key() {
			t.Fatalf("%q collides with %q", other.Key(), b.Key())
		}
	}
}

// A hand-built Target without a port still gets the default in its key.
func TestKeyDefaultsPort(t *testing.T) {
	tg := Target{Scheme: "RTMPS", Host: "Example.COM", App: "/live/", Stream: "s"}
	if got, want := tg.Key(), "rtmps://example.com:443/live#s"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}

// checkStable re-parses the client URL and expects the same target and the
// same key back: the key is a fixed point of Parse.
func checkStable(t *testing.T, tg Target) {
	t.Helper()
	u := tg.ClientURL()
	stream := u.Fragment
	u.Fragment = ""
	again, err := Parse(u.String(), stream)
	if err != nil {
		t.Fatalf("re-parsing %q: %v", u, err)
	}
	if again.Scheme != tg.Scheme || again.Host != tg.Host || again.App != tg.App ||
		again.Query != tg.Query || again.Stream != tg.Stream || again.User.String() != tg.User.String() {
		t.Fatalf("re-parsed %+v, was %+v", again, tg)
	}
	if again.Key() != tg.Key() {
		t.Fatalf("key %q became %q", tg.Key(), again.Key())
	}
}
