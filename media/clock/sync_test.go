package clock

import (
	"sync"
	"testing"
	"time"
)

func TestNTPTime(t *testing.T) {
	cases := []struct {
		ntp  uint64
		want time.Duration
	}{
		{0, 0},
		{1 << 32, time.Second},
		{1<<32 | 1<<31, 1500 * time.Millisecond},
		{3_900_000_000<<32 | 1<<30, 3_900_000_000*time.Second + 250*time.Millisecond},
	}
	for _, tc := range cases {
		if got := NTPTime(tc.ntp); got != tc.want {
			t.Errorf("NTPTime(%#x) = %v, want %v", tc.ntp, got, tc.want)
		}
	}
}

// ToNTP against known instants (RFC 868's epoch difference) and back through NTPTime.
func TestToNTP(t *testing.T) {
	cases := []struct {
		at   time.Time
		want uint64
	}{
		{time.Unix(0, 0), 2_208_988_800 << 32},
		{time.Unix(1, 500_000_000), 2_208_988_801<<32 | 1<<31},
		{time.Date(2026, 11, 26, 0, 0, 0, 250_000_000, time.UTC), uint64(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).Unix()+2_208_988_800)<<32 | 1<<30},
	}
	for _, tc := range cases {
		got := ToNTP(tc.at)
		if got != tc.want {
			t.Errorf("ToNTP(%v) = %#x, want %#x", tc.at, got, tc.want)
		}
		back := NTPTime(got) - 2_208_988_800*time.Second
		if d := back - time.Duration(tc.at.UnixNano()); d < -time.Nanosecond || d > time.Nanosecond {
			t.Errorf("NTPTime(ToNTP(%v)) off by %v", tc.at, d)
		}
	}
}

func TestSenderReportAt(t *testing.T) {
	sr := SenderReport{NTP: 100 * time.Second, RTP: 1<<32 - 8000}
	cases := []struct {
		ts   uint32
		rate uint32
		want time.Duration
		ok   bool
	}{
		{1<<32 - 8000, 8000, 100 * time.Second, true},
		{0, 8000, 101 * time.Second, true}, // across the wrap
		{1<<32 - 16000, 8000, 99 * time.Second, true},
		{11*8000 - 8000, 8000, 0, false}, // beyond MaxJump
		{0, 0, 0, false},
	}
	for _, tc := range cases {
		got, ok := sr.At(tc.ts, tc.rate)
		if got != tc.want || ok != tc.ok {
			t.Errorf("At(%d, %d) = %v %v, want %v %v", tc.ts, tc.rate, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSyncGroupKeepsEarliest(t *testing.T) {
	var g SyncGroup
	if _, _, ok := g.Zero(); ok {
		t.Fatal("zero before any offer")
	}
	g.Offer(10 * time.Second)
	z, v1, _ := g.Zero()
	g.Offer(11 * time.Second) // later: ignored
	if z2, v2, _ := g.Zero(); z2 != z || v2 != v1 {
		t.Fatal("a later offer moved the zero")
	}
	g.Offer(9800 * time.Millisecond)
	if z3, v3, _ := g.Zero(); z3 != 9800*time.Millisecond || v3 == v1 {
		t.Fatalf("zero %v version %d", z3, v3)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { g.Offer(time.Duration(i) * time.Second) })
	}
	wg.Wait()
	if z, _, _ := g.Zero(); z != 0 {
		t.Fatalf("concurrent offers: %v", z)
	}
}

// TestLipSync is the group's purpose: audio delayed 200 ms on the wire and
// video on time, both anchored on arrival, end up on the sender's clock.
func TestLipSync(t *testing.T) {
	zero := time.Unix(1_700_000_000, 0)
	ms := func(n int64) time.Time { return zero.Add(time.Duration(n) * time.Millisecond) }
	audio, video := NewTimeline(8000, zero), NewTimeline(90000, zero)
	// The sender captures both at its wall clock 1000 s; random RTP bases.
	const audioBase, videoBase = 123456789, 3000000000
	audio.Map(audioBase, ms(300)) // arrived 200 ms late
	video.Map(videoBase, ms(100))
	var g SyncGroup
	// Reports at the sender's 1002 s: audio's RTP clock 2 s on, video's too.
	srA := SenderReport{NTP: 1002 * time.Second, RTP: audioBase + 16000}
	srV := SenderReport{NTP: 1002 * time.Second, RTP: videoBase + 180000}
	for _, s := range []struct {
		tl *Timeline
		sr SenderReport
	}{{audio, srA}, {video, srV}} {
		pos, ok := s.tl.Peek(s.sr.RTP)
		if !ok {
			t.Fatal("peek")
		}
		g.Offer(s.sr.NTP - pos)
	}
	z, _, _ := g.Zero()
	place := func(tl *Timeline, sr SenderReport, ts uint32, rate uint32) time.Duration {
		at, ok := sr.At(ts, rate)
		if !ok {
			t.Fatal("At")
		}
		tl.Rebase(ts, at-z)
		return tl.Map(ts, zero)
	}
	// One instant at the sender, 3 s after capture start, on both lines.
	a := place(audio, srA, audioBase+24000, 8000)
	v := place(video, srV, videoBase+270000, 90000)
	if a != v || a != 3300*time.Millisecond {
		t.Fatalf("audio at %v, video at %v; want both 3.3 s (the later arrival's place)", a, v)
	}
}

// TestDriftOverHours: a sender whose 8 kHz audio clock runs 0.1 % fast against its wall clock
// (3.6 s an hour), reporting every 5 s. Re-placing the line at each report keeps every sample
// within a few ms of its wall-clock time for hours; the RTP clock alone would drift by seconds.
func TestDriftOverHours(t *testing.T) {
	zero := time.Unix(1_700_000_000, 0)
	const rate, drift, base = 8000, 1.001, 4_294_000_000 // wraps after 2 minutes
	tl := NewTimeline(rate, zero)
	var g SyncGroup
	wallNTP := func(d time.Duration) time.Duration { return 4_000_000_000*time.Second + d }
	tsAt := func(d time.Duration) uint32 { return uint32(base + int64(float64(d)*drift*rate/float64(time.Second))) }
	tl.Map(tsAt(0), zero)
	var sr SenderReport
	worst := time.Duration(0)
	for d := time.Duration(0); d <= 3*time.Hour; d += 20 * time.Millisecond {
		ts := tsAt(d)
		if d%(5*time.Second) == 0 {
			sr = SenderReport{NTP: wallNTP(d), RTP: ts}
			if d == 0 {
				pos, _ := tl.Peek(sr.RTP)
				g.Offer(sr.NTP - pos)
			}
			z, _, _ := g.Zero()
			at, _ := sr.At(ts, rate)
			tl.Rebase(ts, at-z)
		}
		got := tl.Map(ts, zero.Add(d))
		if err := got - d; err > worst {
			worst = err
		} else if -err > worst {
			worst = -err
		}
	}
	if worst > 10*time.Millisecond {
		t.Fatalf("placed up to %v away from the wall clock over 3 h", worst)
	}
}
