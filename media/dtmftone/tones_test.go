package dtmftone

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/media/g711"
)

func generate(t testing.TB, digits string, cfg Config, chunk int) []int16 {
	g, err := New(digits, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var pcm []int16
	buf := make([]int16, chunk)
	for !g.Done() {
		n := g.Read(buf)
		pcm = append(pcm, buf[:n]...)
	}
	return pcm
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range toneCases {
		t.Run(tc.name, func(t *testing.T) {
			pcm := generate(t, tc.digits, tc.cfg, 160)
			if got, want := Detect(pcm, tc.cfg.Rate), strings.ToUpper(tc.digits); got != want {
				t.Fatalf("detected %q, want %q", got, want)
			}
		})
	}
}

// Through G.711 both ways: what a device decodes of sipcast's tones.
func TestRoundTripG711(t *testing.T) {
	pcm := generate(t, "0123456789*#ABCD", Config{Rate: 8000}, 160)
	for law, back := range map[string][]int16{
		"ulaw": g711.DecodeUlaw(nil, g711.EncodeUlaw(nil, pcm)),
		"alaw": g711.DecodeAlaw(nil, g711.EncodeAlaw(nil, pcm)),
	} {
		if got := Detect(back, 8000); got != "0123456789*#ABCD" {
			t.Errorf("%s: detected %q", law, got)
		}
	}
}

// Lengths: tone and gap per digit, whatever the read size; past the end, silence.
func TestLengthAndTail(t *testing.T) {
	g, err := New("12", Config{Rate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 2*1600 {
		t.Fatalf("Len %d, want 3200", g.Len())
	}
	pcm := generate(t, "12", Config{Rate: 8000}, 333)
	if len(pcm) != 3200 {
		t.Fatalf("%d samples", len(pcm))
	}
	for i := 800; i < 1600; i++ {
		if pcm[i] != 0 {
			t.Fatalf("sample %d of the gap is %d", i, pcm[i])
		}
	}
	buf := []int16{7, 7, 7}
	if n := g.Read(make([]int16, 4000)); n != 3200 {
		t.Fatalf("read %d", n)
	}
	if n := g.Read(buf); n != 0 || buf[0] != 0 || buf[2] != 0 {
		t.Fatalf("after the end: %d %v", n, buf)
	}
}

// Each tone at −10 dBm0: the RMS of the pair is that of two such sines.
func TestLevel(t *testing.T) {
	pcm := generate(t, "5", Config{Rate: 8000, Gap: time.Millisecond}, 800)[:800]
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	rms := math.Sqrt(sum / float64(len(pcm)))
	perTone := 32767 * math.Pow(10, (DefaultLevel-fullScaleDBm0)/20) / math.Sqrt2
	want := perTone * math.Sqrt2 // two uncorrelated sines
	if math.Abs(rms-want)/want > 0.02 {
		t.Fatalf("RMS %.0f, want %.0f (−10 dBm0 per tone)", rms, want)
	}
}

func TestRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		digits string
		cfg    Config
		err    error
	}{
		"bad digit":    {"12E", Config{Rate: 8000}, ErrDigit},
		"no rate":      {"1", Config{}, ErrConfig},
		"loud":         {"1", Config{Rate: 8000, Level: 3}, ErrConfig},
		"long tone":    {"1", Config{Rate: 8000, Tone: time.Minute}, ErrConfig},
		"negative gap": {"1", Config{Rate: 8000, Gap: -time.Second}, ErrConfig},
	} {
		if _, err := New(tc.digits, tc.cfg); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", name, err, tc.err)
		}
	}
}

// What is not DTMF is not found: silence, one tone alone, a chord of two rows, speech-like noise.
func TestDetectRejects(t *testing.T) {
	sine := func(freqs ...float64) []int16 {
		pcm := make([]int16, 8000)
		for i := range pcm {
			var v float64
			for _, f := range freqs {
				v += 5000 * math.Sin(2*math.Pi*f*float64(i)/8000)
			}
			pcm[i] = int16(v)
		}
		return pcm
	}
	noise := make([]int16, 8000)
	x := uint32(1)
	for i := range noise {
		x = x*1664525 + 1013904223
		noise[i] = int16(x >> 18)
	}
	for name, pcm := range map[string][]int16{
		"silence":   make([]int16, 8000),
		"row alone": sine(770),
		"two rows":  sine(697, 852),
		"dial tone": sine(350, 440),
		"noise":     noise,
	} {
		if got := Detect(pcm, 8000); got != "" {
			t.Errorf("%s: detected %q", name, got)
		}
	}
	if Detect(sine(770, 1336), 0) != "" || Detect(nil, 8000) != "" {
		t.Error("a bad rate or no samples detected something")
	}
}

func BenchmarkGenerate(b *testing.B) {
	buf := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		g, _ := New("0123456789", Config{Rate: 8000})
		for !g.Done() {
			g.Read(buf)
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	pcm := generate(b, "0123456789", Config{Rate: 8000}, 160)
	b.ReportAllocs()
	for b.Loop() {
		Detect(pcm, 8000)
	}
}
