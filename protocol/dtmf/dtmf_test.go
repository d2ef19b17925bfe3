package dtmf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPayload(t *testing.T) {
	for _, tc := range payloadCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.value.Marshal(nil); !bytes.Equal(got, tc.wire) {
				t.Fatalf("marshal % x, want % x", got, tc.wire)
			}
			var p Payload
			if err := p.Unmarshal(tc.wire); err != nil || p != tc.value {
				t.Fatalf("unmarshal %+v %v, want %+v", p, err, tc.value)
			}
		})
	}
	var p Payload
	if err := p.Unmarshal([]byte{1, 2, 3}); !errors.Is(err, ErrShortPayload) {
		t.Fatalf("short: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"0123456789*#ABCD": "0123456789*#ABCD", " abcd ": "ABCD", "9": "9"} {
		if got, err := Normalize(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for in, want := range map[string]error{"": ErrNoDigits, "12E": ErrInvalidDigit, "1 2": ErrInvalidDigit,
		"é": ErrInvalidDigit, strings.Repeat("1", MaxDigits+1): ErrTooManyDigits} {
		if _, err := Normalize(in); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
	}
	for d := byte(0); d < 255; d++ {
		ev, ok := EventOf(d)
		if !ok {
			continue
		}
		back, ok := DigitOf(ev)
		if !ok || back != strings.ToUpper(string(d))[0] {
			t.Errorf("%q → %d → %q", d, ev, back)
		}
	}
}

// The plan is what RFC 4733 asks of a sender: per event one timestamp, the marker on the first
// packet only, durations growing by one interval up to the tone, then three end packets with the
// final duration; events in order, never overlapping.
func TestPlan(t *testing.T) {
	tm := DefaultTiming()
	pkts, err := Plan("1#D", tm)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 3*(5+EndRepeats) {
		t.Fatalf("%d packets", len(pkts))
	}
	for i, want := range []uint8{1, EventPound, 15} {
		ev := pkts[i*8 : (i+1)*8]
		onset := uint32(i) * 1280 // (100 + 60 ms) at 8 kHz
		for k, p := range ev {
			if p.Payload.Event != want || p.Onset != onset || p.Marker != (k == 0) || p.Payload.Volume != DefaultVolume {
				t.Fatalf("event %d packet %d: %+v", i, k, p)
			}
			if at := time.Duration(i)*160*time.Millisecond + time.Duration(k)*20*time.Millisecond; p.At != at {
				t.Fatalf("event %d packet %d at %v, want %v", i, k, p.At, at)
			}
			wantDur, wantEnd := uint16(min(k+1, 5)*160), k >= 5
			if p.Payload.Duration != wantDur || p.Payload.End != wantEnd {
				t.Fatalf("event %d packet %d: duration %d end %v", i, k, p.Payload.Duration, p.Payload.End)
			}
		}
	}
	if got := tm.Length(3); got != pkts[len(pkts)-1].At {
		t.Fatalf("Length %v, last packet at %v", got, pkts[len(pkts)-1].At)
	}
	if _, err := Plan("1", Timing{ClockRate: 8000, Interval: 20 * time.Millisecond, Tone: 100 * time.Millisecond, Gap: 20 * time.Millisecond}); err == nil {
		t.Fatal("a gap shorter than the end packets must be refused")
	}
	if _, err := Plan("", tm); !errors.Is(err, ErrNoDigits) {
		t.Fatalf("empty: %v", err)
	}
}

// A tone that is not a whole number of intervals ends with a shorter step.
func TestPlanUnevenTone(t *testing.T) {
	tm := DefaultTiming()
	tm.Tone = 50 * time.Millisecond
	pkts, err := Plan("7", tm)
	if err != nil {
		t.Fatal(err)
	}
	var durs []uint16
	for _, p := range pkts {
		durs = append(durs, p.Payload.Duration)
	}
	if want := []uint16{160, 320, 400, 400, 400, 400}; !equal(durs, want) {
		t.Fatalf("durations %v, want %v", durs, want)
	}
}

func equal(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRelay(t *testing.T) {
	for _, tc := range relayCases {
		t.Run(tc.name, func(t *testing.T) {
			d, tone, err := ParseRelay([]byte(tc.body))
			if tc.err {
				if !errors.Is(err, ErrMalformedBody) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || d != tc.digit || tone != tc.tone {
				t.Fatalf("%q %v %v", d, tone, err)
			}
		})
	}
	d, tone, err := ParseRelay(RelayBody('#', 100*time.Millisecond))
	if err != nil || d != '#' || tone != 100*time.Millisecond {
		t.Fatalf("round trip: %q %v %v", d, tone, err)
	}
}

func TestParseDTMF(t *testing.T) {
	for body, want := range map[string]byte{"5": '5', " # \r\n": '#', "11": '#', "b": 'B'} {
		if d, err := ParseDTMF([]byte(body)); err != nil || d != want {
			t.Errorf("%q: %q %v", body, d, err)
		}
	}
	for _, body := range []string{"", "16", "xx", "Signal=1"} {
		if _, err := ParseDTMF([]byte(body)); !errors.Is(err, ErrMalformedBody) {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func BenchmarkPlan(b *testing.B) {
	b.ReportAllocs()
	tm := DefaultTiming()
	for b.Loop() {
		if _, err := Plan("0123456789*#ABCD", tm); err != nil {
			b.Fatal(err)
		}
	}
}
