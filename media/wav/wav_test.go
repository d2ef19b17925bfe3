package wav

import (
	"encoding/binary"
	"errors"
	"testing"
)

func build(format, channels, rate, bits int, data []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt ")
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, uint16(format))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

var wavCases = []struct {
	name    string
	file    []byte
	want    []int16
	rate    int
	wantErr error
}{
	{"pcm16 mono", build(1, 1, 8000, 16, []byte{0x10, 0x00, 0xf0, 0xff}), []int16{16, -16}, 8000, nil},
	{"pcm16 stereo downmix", build(1, 2, 16000, 16, []byte{0x10, 0x00, 0x30, 0x00}), []int16{32}, 16000, nil},
	{"pcm8", build(1, 1, 8000, 8, []byte{128, 129}), []int16{0, 256}, 8000, nil},
	{"ulaw", build(7, 1, 8000, 8, []byte{0xff}), []int16{0}, 8000, nil},
	{"not riff", []byte("hello world, this is not a wave"), nil, 0, ErrFormat},
	{"float", build(3, 1, 8000, 32, make([]byte, 8)), nil, 0, ErrUnsupported},
	{"no data", build(1, 1, 8000, 16, nil)[:36], nil, 0, ErrFormat},
}

func TestDecode(t *testing.T) {
	for _, tc := range wavCases {
		t.Run(tc.name, func(t *testing.T) {
			got, rate, err := Decode(tc.file)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if rate != tc.rate || len(got) != len(tc.want) {
				t.Fatalf("got %v @%d, want %v @%d", got, rate, tc.want, tc.rate)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("sample %d: %d, want %d", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestResample(t *testing.T) {
	in := []int16{0, 100, 200, 300}
	out := Resample(in, 8000, 16000)
	if len(out) != 8 || out[1] != 50 || out[2] != 100 {
		t.Fatalf("up: %v", out)
	}
	if down := Resample(in, 16000, 8000); len(down) != 2 || down[1] != 200 {
		t.Fatalf("down: %v", down)
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range wavCases {
		f.Add(tc.file)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := string(b)
		s, rate, err := Decode(b)
		if string(b) != orig {
			t.Fatal("input mutated")
		}
		if err == nil && (rate <= 0 || len(s) > MaxSamples) {
			t.Fatalf("rate %d, %d samples", rate, len(s))
		}
	})
}
