package g711

import (
	"bytes"
	"testing"
)

// FuzzG711 decodes arbitrary payloads with both laws and checks: no panic,
// input untouched, one sample per byte, and that re-encoding gives the input
// back (apart from µ-law's negative zero).
func FuzzG711(f *testing.F) {
	for _, c := range codecCases {
		f.Add([]byte{c.code, c.code ^ 0xff})
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		orig := bytes.Clone(payload)
		for _, law := range []string{"ulaw", "alaw"} {
			pcm := decodeFn(law)(nil, payload)
			if !bytes.Equal(payload, orig) {
				t.Fatal("decode mutated its input")
			}
			if len(pcm) != len(payload) {
				t.Fatalf("%s: %d samples from %d bytes", law, len(pcm), len(payload))
			}
			back := encodeFn(law)(nil, pcm)
			for i := range back {
				want := payload[i]
				if law == "ulaw" && want == 0x7f {
					want = 0xff
				}
				if back[i] != want {
					t.Fatalf("%s: code %#02x re-encodes as %#02x", law, payload[i], back[i])
				}
			}
		}
	})
}
