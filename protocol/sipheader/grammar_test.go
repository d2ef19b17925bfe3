package sipheader

import (
	"errors"
	"strings"
	"testing"
)

func TestQuoteDisplayName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Alice", "Alice"},
		{`a "b" c`, `a \"b\" c`},
		{`back\slash`, `back\\slash`},
		{"Zoë 山田", "Zoë 山田"},
		{"cr\r\nlf", "crlf"}, // refused at the edge; dropped here as a second line
		{"nel\u0085 ls\u2028", "nel ls"},
	}
	for _, c := range cases {
		if got := QuoteDisplayName(c.in); got != c.want {
			t.Errorf("QuoteDisplayName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCheckDisplayName(t *testing.T) {
	for _, ok := range []string{"", "Alice", `"quoted" \ too`, "Zoë"} {
		if err := CheckDisplayName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"a\rb", "a\nb", "a\tb", "a\x00b", "a\x7fb", "a\u0085b", "a\u2028b", "a\u2029b", "a\xffb"} {
		if err := CheckDisplayName(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestIsCallID(t *testing.T) {
	for _, ok := range []string{"a", "abc-DEF.123", "id@host.example", "x.!%*_+`'~():/[]?{}"} {
		if !IsCallID(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "a b", "a;b", "a,b", "a@b@c", "@b", "a@", "<a>", `a"b`, `a\b`, "é", "a\r\nb"} {
		if IsCallID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	cases := []struct{ in, want string }{
		{"pbx.example.com", "pbx.example.com"},
		{"pbx.example.com.", "pbx.example.com."},
		{"127.0.0.1", "127.0.0.1"},
		{"::1", "[::1]"},
		{"[::1]", "[::1]"},
		{"[2001:DB8::1]", "[2001:db8::1]"},
		{"::ffff:127.0.0.1", "127.0.0.1"},
		{"[::ffff:127.0.0.1]", "127.0.0.1"},
	}
	for _, c := range cases {
		if got, err := NormalizeHost(c.in); err != nil || got != c.want {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "[127.0.0.1]", "[]", "[host]", "fe80::1%eth0", "-a.b", "a-.b", "a..b", "a b",
		"a>\r\nX: y", strings.Repeat("a", 64) + ".b", strings.Repeat("a.", 127) + "ab"} {
		if got, err := NormalizeHost(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("NormalizeHost(%q) = %q accepted", bad, got)
		}
	}
}

// FuzzQuoteDisplayName: whatever goes in, what comes out can stand between quotes: no bare
// quote, no trailing lone backslash, no control character.
func FuzzQuoteDisplayName(f *testing.F) {
	for _, s := range []string{"Alice", `a "b" \`, "x\r\ny", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuoteDisplayName(s)
		for i := 0; i < len(q); i++ {
			switch q[i] {
			case '\\':
				if i+1 == len(q) || (q[i+1] != '\\' && q[i+1] != '"') {
					t.Fatalf("QuoteDisplayName(%q) = %q: lone backslash at %d", s, q, i)
				}
				i++
			case '"':
				t.Fatalf("QuoteDisplayName(%q) = %q: bare quote at %d", s, q, i)
			}
		}
		if err := CheckDisplayName(q); err != nil {
			t.Fatalf("QuoteDisplayName(%q) = %q: %v", s, q, err)
		}
	})
}
