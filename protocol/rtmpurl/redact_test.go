package rtmpurl

import (
	"net/url"
	"strings"
	"testing"
)

// redactCases: every secret of an rtmpUrl is masked; nothing else changes (issue 12: tokens in
// the query were shown in find, events, notifications and logs).
var redactCases = []struct{ in, want string }{
	{"rtmp://h/live", "rtmp://h/live"},
	{"rtmp://u:pw@h/live", "rtmp://u:xxxxx@h/live"},
	{"rtmp://h/live?token=abc", "rtmp://h/live?token=xxxxx"},
	{"rtmp://h/live?a=1&streamKey=k&b=2", "rtmp://h/live?a=1&streamKey=xxxxx&b=2"},
	{"rtmp://h/live?SECRET=s&Password=p&auth_code=x&sig=y&wowzatokenhash=z", "rtmp://h/live?SECRET=xxxxx&Password=xxxxx&auth_code=xxxxx&sig=xxxxx&wowzatokenhash=xxxxx"},
	{"rtmp://h/live?%74oken=abc", "rtmp://h/live?%74oken=xxxxx"},
	{"rtmp://h/live?user=bob&token=", "rtmp://h/live?user=bob&token=xxxxx"},
	{"rtmp://h/live?token", "rtmp://h/live?token"},
	{"rtmps://u:pw@h:443/live/_definst_?e=1&st=2&signature=3", "rtmps://u:xxxxx@h:443/live/_definst_?e=1&st=2&signature=xxxxx"},
	{"rtmp://h/live?token=a%26b&x=1", "rtmp://h/live?token=xxxxx&x=1"},
}

func TestRedact(t *testing.T) {
	for _, c := range redactCases {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Redact("rtmp://h/%zz"); got != "" {
		t.Errorf("an unparsable URL shown as %q", got)
	}
}

func TestTargetRedacted(t *testing.T) {
	tg, err := Parse("rtmp://u:pw@h/live?token=abc&x=1", "cam")
	if err != nil {
		t.Fatal(err)
	}
	got := tg.Redacted()
	if strings.Contains(got, "abc") || strings.Contains(got, "pw") || got != "rtmp://u:xxxxx@h:1935/live/cam?token=xxxxx&x=1" {
		t.Fatalf("Redacted() = %q", got)
	}
	// Publishing still uses the real values.
	if u := tg.ClientURL(); u.RawQuery != "token=abc&x=1" {
		t.Fatalf("ClientURL query %q", u.RawQuery)
	}
}

func FuzzRedact(f *testing.F) {
	for _, c := range redactCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := Redact(raw)
		u, err := url.Parse(got)
		if got == "" || err != nil {
			return
		}
		if p, ok := u.User.Password(); ok && p != Masked {
			t.Fatalf("Redact(%q) = %q leaves the password", raw, got)
		}
		for _, p := range strings.Split(u.RawQuery, "&") {
			name, v, ok := strings.Cut(p, "=")
			if ok && isSecretName(name) && v != Masked {
				t.Fatalf("Redact(%q) = %q leaves %s=%s", raw, got, name, v)
			}
		}
	})
}
