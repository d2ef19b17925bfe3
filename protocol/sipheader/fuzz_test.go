package sipheader

import "testing"

// FuzzSessionExpires: any input parses or fails cleanly; a parsed value renders to a string that
// parses back to itself, within the accepted range.
func FuzzSessionExpires(f *testing.F) {
	for _, tc := range seCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		se, err := ParseSessionExpires(in)
		if err != nil {
			return
		}
		if se.Seconds < 1 || se.Seconds > maxDeltaSeconds {
			t.Fatalf("%q: %d seconds accepted", in, se.Seconds)
		}
		back, err := ParseSessionExpires(se.String())
		if err != nil || back != se {
			t.Fatalf("%q: %q → %+v %v", in, se.String(), back, err)
		}
	})
}

func FuzzMinSE(f *testing.F) {
	for _, tc := range minSECases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if n, err := ParseMinSE(in); err == nil && (n < 1 || n > maxDeltaSeconds) {
			t.Fatalf("%q: %d accepted", in, n)
		}
	})
}

func FuzzHasToken(f *testing.F) {
	for _, tc := range tokenCases {
		f.Add(tc.list, tc.tok)
	}
	f.Fuzz(func(t *testing.T, list, tok string) {
		_ = HasToken(list, tok)
	})
}
