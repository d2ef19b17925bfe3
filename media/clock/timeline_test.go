package clock

import (
	"encoding/binary"
	"testing"
	"time"
)

// step is one packet: its RTP timestamp, its arrival in ms after the call's
// zero instant, and the presentation time Map must give, in ms.
type step struct {
	ts      uint32
	arrival int64
	want    int64
}

// timelineCases is the one table shared by the table test and the fuzz
// seeds.
var timelineCases = []struct {
	name  string
	rate  uint32
	reset int // Reset before this step index; 0 means never
	steps []step
}{
	{"steady stream follows RTP, not arrival jitter", 8000, 0, []step{
		{1000, 100, 100}, {1160, 125, 120}, {1320, 139, 140}, {1480, 200, 160},
	}},
	{"first packet before zero is placed at zero", 8000, 0, []step{
		{5000, -50, 0}, {5160, -30, 20},
	}},
	{"wrap-around at 2^32", 8000, 0, []step{
		{1<<32 - 160, 100, 100}, {0, 120, 120}, {160, 140, 140},
	}},
	{"wrap-around at 2^32, 90 kHz video", 90000, 0, []step{
		{1<<32 - 2970, 0, 0}, {0, 33, 33}, {2970, 66, 66},
	}},
	{"restart lower re-anchors on arrival", 8000, 0, []step{
		{1_000_000, 100, 100}, {1_000_160, 120, 120}, {500, 300, 300}, {660, 320, 320},
	}},
	{"restart lower never goes backwards", 8000, 0, []step{
		// A fast pcap replay: RTP says 2 s passed, arrivals 100 ms.
		{0, 0, 0}, {16000, 100, 2000}, {0, 200, 2000}, {160, 210, 2020},
	}},
	{"large forward jump re-anchors", 8000, 0, []step{
		{1000, 100, 100}, {1000 + 11*8000, 120, 120}, {1000 + 11*8000 + 160, 140, 140},
	}},
	{"clock that stood still (hold, resumed timestamps) re-anchors on arrival", 8000, 0, []step{
		{1000, 100, 100}, {1160, 120, 120}, {1320, 10120, 10120}, {1480, 10140, 10140},
	}},
	{"late arrival under MaxStall stays on RTP clock", 8000, 0, []step{
		{1000, 100, 100}, {1160, 2500, 120}, {1320, 2501, 140},
	}},
	{"forward gap under MaxJump stays on RTP clock", 8000, 0, []step{
		{1000, 100, 100}, {1000 + 9*8000, 9050, 9100},
	}},
	{"reordered late packet stays on RTP clock", 8000, 0, []step{
		{1000, 100, 100}, {1320, 140, 140}, {1160, 141, 120}, {1480, 160, 160},
	}},
	{"late packet across the wrap", 8000, 0, []step{
		{80, 100, 100}, {1<<32 - 80, 101, 80}, {240, 120, 120},
	}},
	{"late packet before the anchor clamps at zero", 8000, 0, []step{
		{1000, 0, 0}, {840, 1, 0}, {1160, 20, 20},
	}},
	{"backwards beyond MaxReorder is a restart", 8000, 0, []step{
		{100_000, 100, 100}, {100_000 - 8000, 120, 120}, {100_000 - 8000 + 160, 140, 140},
	}},
	{"reset re-anchors on arrival", 8000, 2, []step{
		{1000, 100, 100}, {1160, 120, 120}, {1320, 500, 500}, {1480, 510, 520},
	}},
	{"reset never goes backwards", 8000, 2, []step{
		{0, 0, 0}, {8000, 10, 1000}, {7777, 20, 1000},
	}},
	{"zero clock rate follows arrival, forwards only", 0, 0, []step{
		{0, 10, 10}, {0, 30, 30}, {999, 20, 30}, {1, 40, 40},
	}},
}

func TestTimelineMap(t *testing.T) {
	zero := time.Unix(1_700_000_000, 0)
	for _, tc := range timelineCases {
		t.Run(tc.name, func(t *testing.T) {
			tl := NewTimeline(tc.rate, zero)
			for i, s := range tc.steps {
				if tc.reset != 0 && i == tc.reset {
					tl.Reset()
				}
				got := tl.Map(s.ts, zero.Add(time.Duration(s.arrival)*time.Millisecond))
				if want := time.Duration(s.want) * time.Millisecond; got != want {
					t.Fatalf("step %d (ts %d at %d ms): got %v, want %v", i, s.ts, s.arrival, got, want)
				}
			}
		})
	}
}

func TestTicksToDuration(t *testing.T) {
	cases := []struct {
		ticks int64
		rate  uint32
		want  time.Duration
	}{
		{8000, 8000, time.Second},
		{160, 8000, 20 * time.Millisecond},
		{-160, 8000, -20 * time.Millisecond},
		{3003, 90000, 33366666 * time.Nanosecond},
		// A century at 90 kHz: ticks*1e9 would overflow int64.
		{90000 * 100 * 365 * 86400, 90000, 100 * 365 * 24 * time.Hour},
		{1<<32 - 1, 1<<32 - 1, time.Second},
	}
	for _, tc := range cases {
		if got := ticksToDuration(tc.ticks, tc.rate); got != tc.want {
			t.Errorf("ticksToDuration(%d, %d) = %v, want %v", tc.ticks, tc.rate, got, tc.want)
		}
	}
}

// fuzzStepSize is one packet in a fuzz input: a uint32 timestamp and a
// signed 32-bit arrival in ms, so arrivals may also run backwards.
const fuzzStepSize = 8

func encodeSteps(steps []step) []byte {
	b := make([]byte, 0, len(steps)*fuzzStepSize)
	for _, s := range steps {
		b = binary.BigEndian.AppendUint32(b, s.ts)
		b = binary.BigEndian.AppendUint32(b, uint32(int32(s.arrival)))
	}
	return b
}

// FuzzTimelineMap checks Map never panics, never returns a negative time,
// and never falls more than MaxReorder behind what it already returned;
// and that Monotonic over its results never goes backwards.
func FuzzTimelineMap(f *testing.F) {
	for _, tc := range timelineCases {
		f.Add(tc.rate, encodeSteps(tc.steps))
	}
	zero := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, rate uint32, data []byte) {
		tl := NewTimeline(rate, zero)
		var mono Monotonic
		var latest, lastMono time.Duration
		for ; len(data) >= fuzzStepSize; data = data[fuzzStepSize:] {
			ts := binary.BigEndian.Uint32(data)
			arrival := zero.Add(time.Duration(int32(binary.BigEndian.Uint32(data[4:]))) * time.Millisecond)
			got := tl.Map(ts, arrival)
			if got < 0 {
				t.Fatalf("Map(%d, %v) = %v < 0", ts, arrival.Sub(zero), got)
			}
			// 1 µs of slack for rounding ticks to nanoseconds.
			if got < latest-MaxReorder-time.Microsecond {
				t.Fatalf("Map(%d) = %v, more than MaxReorder behind %v", ts, got, latest)
			}
			latest = max(latest, got)
			if m := mono.Next(got); m < lastMono {
				t.Fatalf("Monotonic went back from %v to %v", lastMono, m)
			} else {
				lastMono = m
			}
		}
	})
}

func BenchmarkTimelineMap(b *testing.B) {
	zero := time.Unix(1_700_000_000, 0)
	tl := NewTimeline(8000, zero)
	ts := uint32(1<<32 - 8000) // cross the wrap during the run
	arrival := zero
	b.ReportAllocs()
	for b.Loop() {
		tl.Map(ts, arrival)
		ts += 160
		arrival = arrival.Add(20 * time.Millisecond)
	}
}
