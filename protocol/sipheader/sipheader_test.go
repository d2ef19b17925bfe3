package sipheader

import (
	"errors"
	"testing"
)

func TestParseSessionExpires(t *testing.T) {
	for _, tc := range seCases {
		got, err := ParseSessionExpires(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v err=%v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrRange) {
			t.Errorf("%q: error %v wraps no sentinel", tc.in, err)
		}
		if err == nil {
			back, err := ParseSessionExpires(got.String())
			if err != nil || back != got {
				t.Errorf("%q: round trip %q → %+v %v", tc.in, got.String(), back, err)
			}
		}
	}
}

func TestParseMinSE(t *testing.T) {
	for _, tc := range minSECases {
		got, err := ParseMinSE(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%q: %d %v, want %d err=%v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestHasToken(t *testing.T) {
	for _, tc := range tokenCases {
		if got := HasToken(tc.list, tc.tok); got != tc.want {
			t.Errorf("HasToken(%q, %q) = %v", tc.list, tc.tok, got)
		}
	}
}

func BenchmarkParseSessionExpires(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseSessionExpires("1800;refresher=uac")
	}
}
