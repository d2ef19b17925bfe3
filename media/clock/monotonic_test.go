package clock

import (
	"testing"
	"time"
)

func TestMonotonicNext(t *testing.T) {
	const ms = time.Millisecond
	cases := []struct {
		name string
		in   []time.Duration
		want []time.Duration
	}{
		{"increasing passes through", []time.Duration{0, 20 * ms, 40 * ms}, []time.Duration{0, 20 * ms, 40 * ms}},
		{"earlier clamps to last", []time.Duration{40 * ms, 20 * ms, 60 * ms}, []time.Duration{40 * ms, 40 * ms, 60 * ms}},
		{"equal is kept", []time.Duration{20 * ms, 20 * ms}, []time.Duration{20 * ms, 20 * ms}},
		{"negative becomes zero", []time.Duration{-5 * ms, 3 * ms}, []time.Duration{0, 3 * ms}},
		{"audio and video interleaved", []time.Duration{0, 33 * ms, 20 * ms, 40 * ms, 66 * ms, 60 * ms}, []time.Duration{0, 33 * ms, 33 * ms, 40 * ms, 66 * ms, 66 * ms}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Monotonic
			for i, d := range tc.in {
				if got := m.Next(d); got != tc.want[i] {
					t.Fatalf("Next(%v) #%d = %v, want %v", d, i, got, tc.want[i])
				}
			}
		})
	}
}

func TestMonotonicNextStrict(t *testing.T) {
	const ms = time.Millisecond
	cases := []struct {
		name string
		in   []time.Duration
		want []time.Duration
	}{
		{"increasing passes through", []time.Duration{0, 40 * ms, 80 * ms}, []time.Duration{0, 40 * ms, 80 * ms}},
		{"equal moves a millisecond on", []time.Duration{45 * ms, 45 * ms, 85 * ms}, []time.Duration{45 * ms, 46 * ms, 85 * ms}},
		{"same millisecond moves on", []time.Duration{45*ms + 200*time.Microsecond, 45*ms + 700*time.Microsecond}, []time.Duration{45 * ms, 46 * ms}},
		{"earlier moves past the last", []time.Duration{80 * ms, 40 * ms, 120 * ms}, []time.Duration{80 * ms, 81 * ms, 120 * ms}},
		{"negative becomes zero, then on", []time.Duration{-5 * ms, -1 * ms, 3 * ms}, []time.Duration{0, 1 * ms, 3 * ms}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Monotonic
			for i, d := range tc.in {
				if got := m.NextStrict(d); got != tc.want[i] {
					t.Fatalf("NextStrict(%v) #%d = %v, want %v", d, i, got, tc.want[i])
				}
			}
		})
	}
}

func BenchmarkMonotonicNext(b *testing.B) {
	var m Monotonic
	d := time.Duration(0)
	b.ReportAllocs()
	for b.Loop() {
		m.Next(d)
		d += 20 * time.Millisecond
	}
}
