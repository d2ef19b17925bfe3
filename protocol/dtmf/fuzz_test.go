package dtmf

import (
	"bytes"
	"testing"
)

// FuzzPayload: any 4+ bytes decode, and re-encode to the same first four bytes.
func FuzzPayload(f *testing.F) {
	for _, tc := range payloadCases {
		f.Add(tc.wire)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		var p Payload
		if err := p.Unmarshal(b); err != nil {
			return
		}
		if !bytes.Equal(b, in) {
			t.Fatal("input mutated")
		}
		// The R bit is reserved: it is dropped on re-encoding.
		want := []byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if got := p.Marshal(nil); !bytes.Equal(got, want) {
			t.Fatalf("% x → %+v → % x", b[:4], p, got)
		}
	})
}

// FuzzInfoBody: no body panics; an accepted one names a digit the API would accept.
func FuzzInfoBody(f *testing.F) {
	for _, tc := range relayCases {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte("11"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if d, _, err := ParseRelay(body); err == nil {
			if _, ok := EventOf(d); !ok {
				t.Fatalf("relay %q → %q", body, d)
			}
		}
		if d, err := ParseDTMF(body); err == nil {
			if _, ok := EventOf(d); !ok {
				t.Fatalf("dtmf %q → %q", body, d)
			}
		}
	})
}
