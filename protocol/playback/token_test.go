package playback

import (
	"errors"
	"testing"
	"time"
)

var tokenNow = time.Unix(1_800_000_000, 0)

// tokenCases are shared with FuzzCheckToken.
var tokenCases = []struct {
	name, stream, token string
	ok                  bool
}{
	{"valid", "s1", MakeToken([]byte("k"), "s1", tokenNow.Add(time.Hour)), true},
	{"other stream", "s2", MakeToken([]byte("k"), "s1", tokenNow.Add(time.Hour)), false},
	{"expired", "s1", MakeToken([]byte("k"), "s1", tokenNow.Add(-time.Second)), false},
	{"other secret", "s1", MakeToken([]byte("x"), "s1", tokenNow.Add(time.Hour)), false},
	{"empty", "s1", "", false},
	{"no dot", "s1", "123", false},
	{"bad expiry", "s1", "abc.def", false},
	{"longer expiry, same signature", "s1", "9" + MakeToken([]byte("k"), "s1", tokenNow.Add(time.Hour)), false},
}

func TestCheckToken(t *testing.T) {
	for _, tc := range tokenCases {
		err := CheckToken([]byte("k"), tc.stream, tc.token, tokenNow)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBadToken)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if CheckToken(nil, "s1", tokenCases[0].token, tokenNow) == nil {
		t.Error("no secret must accept nothing")
	}
}

func FuzzCheckToken(f *testing.F) {
	for _, tc := range tokenCases {
		f.Add(tc.stream, tc.token)
	}
	f.Fuzz(func(t *testing.T, stream, token string) {
		err := CheckToken([]byte("k"), stream, token, tokenNow)
		if err != nil && !errors.Is(err, ErrBadToken) {
			t.Fatal(err)
		}
		if err == nil && token != MakeToken([]byte("k"), stream, mustExpiry(token)) {
			t.Fatalf("accepted a token it did not make: %q for %q", token, stream)
		}
	})
}

func mustExpiry(token string) time.Time {
	var unix int64
	for _, c := range token {
		if c == '.' {
			break
		}
		unix = unix*10 + int64(c-'0')
	}
	return time.Unix(unix, 0)
}
