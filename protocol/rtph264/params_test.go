package rtph264

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// check runs the checker a case's NAL type calls for.
func check(nal []byte, name string) (Params, error) {
	if strings.HasPrefix(name, "pps") {
		return Params{}, CheckPPS(nal)
	}
	return CheckSPS(nal)
}

func TestCheckParamsCases(t *testing.T) {
	for _, c := range paramCases {
		t.Run(c.name, func(t *testing.T) {
			before := bytes.Clone(c.nal)
			p, err := check(c.nal, c.name)
			if !bytes.Equal(before, c.nal) {
				t.Fatal("input mutated")
			}
			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				if p.Width != c.width || p.Height != c.height {
					t.Fatalf("size = %dx%d, want %dx%d", p.Width, p.Height, c.width, c.height)
				}
				return
			}
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
		})
	}
}

func TestCheckAU(t *testing.T) {
	bad := buildSPS(spsSpec{pocType: 14, widthMbs: 40, heighMu: 30})
	for _, c := range []struct {
		name string
		au   [][]byte
		want error
	}{
		{"params and idr", [][]byte{blackSPS, blackPPS, idr}, nil},
		{"slice only", [][]byte{slice}, nil},
		{"empty nal skipped", [][]byte{{}, idr}, nil},
		{"bad sps before idr (issue 12)", [][]byte{bad, blackPPS, idr}, ErrBadSPS},
		{"bad pps", [][]byte{blackSPS, {0x68}, idr}, ErrBadPPS},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckAU(c.au); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// FuzzCheckParams feeds arbitrary NAL units to both checkers: no panic escapes, the input is
// not touched, every error is a sentinel, and a set that passes is within the limits and parses
// the same way twice.
func FuzzCheckParams(f *testing.F) {
	for _, c := range paramCases {
		f.Add(c.nal)
	}
	f.Fuzz(func(t *testing.T, nal []byte) {
		before := bytes.Clone(nal)
		p, err := CheckSPS(nal)
		if err != nil && !errors.Is(err, ErrBadSPS) {
			t.Fatalf("SPS error %v is no sentinel", err)
		}
		if err == nil {
			if len(nal) > MaxParamSetSize || p.Width < 1 || p.Height < 1 || p.Width > MaxPictureSide || p.Height > MaxPictureSide {
				t.Fatalf("accepted %d bytes, %dx%d", len(nal), p.Width, p.Height)
			}
			if again, _ := CheckSPS(nal); again != p {
				t.Fatal("second parse differs")
			}
		}
		if err := CheckPPS(nal); err != nil && !errors.Is(err, ErrBadPPS) {
			t.Fatalf("PPS error %v is no sentinel", err)
		}
		if !bytes.Equal(before, nal) {
			t.Fatal("input mutated")
		}
	})
}
