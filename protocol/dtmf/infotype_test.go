package dtmf

import (
	"strings"
	"testing"
	"time"
)

// acceptCases is shared by the InfoType test and the fuzz seed corpus.
var acceptCases = []struct {
	name   string
	accept string
	want   string
	ok     bool
}{
	{"relay", "application/dtmf-relay", ContentTypeRelay, true},
	{"bare only", "application/sdp, application/dtmf", ContentTypeDTMF, true},
	{"both prefer relay", "application/dtmf, application/dtmf-relay", ContentTypeRelay, true},
	{"case and spaces", "  Application/DTMF ;q=0.5 ", ContentTypeDTMF, true},
	{"relay refused", "application/dtmf-relay;q=0, application/dtmf", ContentTypeDTMF, true},
	{"relay refused q=0.000", "application/dtmf-relay; q=0.000", "", false},
	{"wildcard", "application/*", ContentTypeRelay, true},
	{"any", "*/*", ContentTypeRelay, true},
	{"sdp only", "application/sdp", "", false},
	{"empty", "", "", false},
	{"bad q kept", "application/dtmf;q=x", ContentTypeDTMF, true},
}

func TestInfoType(t *testing.T) {
	for _, tc := range acceptCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := InfoType(tc.accept)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("InfoType(%q) = %q, %v; want %q, %v", tc.accept, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestInfoBody(t *testing.T) {
	if got := string(InfoBody(ContentTypeDTMF, '#', 100*time.Millisecond)); got != "#" {
		t.Fatalf("application/dtmf body %q", got)
	}
	if got := string(InfoBody(ContentTypeRelay, '5', 160*time.Millisecond)); got != "Signal=5\r\nDuration=160\r\n" {
		t.Fatalf("dtmf-relay body %q", got)
	}
	// Each body reads back as its digit.
	if d, err := ParseDTMF(InfoBody(ContentTypeDTMF, 'D', 0)); err != nil || d != 'D' {
		t.Fatalf("round trip: %q %v", d, err)
	}
	if OtherInfoType(ContentTypeRelay) != ContentTypeDTMF || OtherInfoType(ContentTypeDTMF) != ContentTypeRelay {
		t.Fatal("OtherInfoType does not alternate")
	}
}

// FuzzInfoType: no Accept value panics, and a pick is one of the two DTMF types and named (or
// wildcarded) by the header.
func FuzzInfoType(f *testing.F) {
	for _, tc := range acceptCases {
		f.Add(tc.accept)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		got, ok := InfoType(accept)
		if !ok {
			if got != "" {
				t.Fatalf("%q → %q without ok", accept, got)
			}
			return
		}
		lower := strings.ToLower(accept)
		if (got != ContentTypeRelay && got != ContentTypeDTMF) || !strings.Contains(lower, "/") ||
			(!strings.Contains(lower, got) && !strings.Contains(lower, "*")) {
			t.Fatalf("%q → %q", accept, got)
		}
	})
}
