package dtmftone

import (
	"fmt"
	"math"
	"time"
)

// Row and column frequencies of Q.23, in Hz: a key sounds one of each.
var (
	rows = [4]float64{697, 770, 852, 941}
	cols = [4]float64{1209, 1336, 1477, 1633}
)

// keys is the keypad: keys[row][col].
var keys = [4][4]byte{
	{'1', '2', '3', 'A'},
	{'4', '5', '6', 'B'},
	{'7', '8', '9', 'C'},
	{'*', '0', '#', 'D'},
}

// Frequencies returns the low (row) and high (column) frequency of a key; a-d are taken as A-D.
func Frequencies(d byte) (low, high float64, ok bool) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for r := range keys {
		for c := range keys[r] {
			if keys[r][c] == d {
				return rows[r], cols[c], true
			}
		}
	}
	return 0, 0, false
}

// Defaults: Q.24 wants at least 40 ms of tone and of pause; 100 ms of each is what telephones
// send and every receiver takes. −10 dBm0 per tone is the middle of Q.23's sending range.
const (
	DefaultTone  = 100 * time.Millisecond
	DefaultGap   = 100 * time.Millisecond
	DefaultLevel = -10.0 // dBm0, each of the two tones
)

// fullScaleDBm0 is the level of a full-scale 16-bit sine: G.711's overload point, +3.17 dBm0
// for µ-law (A-law's +3.14 is close enough for a signal level).
const fullScaleDBm0 = 3.17

// Config is a tone sequence's shape. Zero fields take the defaults.
type Config struct {
	Rate  int           // samples per second; required (8000, 16000, 48000 …)
	Tone  time.Duration // each key's tone; default DefaultTone
	Gap   time.Duration // silence after each tone; default DefaultGap
	Level float64       // dBm0 per tone; default DefaultLevel
}

// Generator plays a digit string as PCM: tone, gap, tone, gap …. Read it in pieces of any size.
type Generator struct {
	digits     string
	rate       int
	tone, step int // samples of a tone, and of a tone with its gap
	amp        float64
	pos        int // samples played so far
}

// New returns a Generator of digits; it checks every digit and the configuration first.
func New(digits string, cfg Config) (*Generator, error) {
	if cfg.Tone == 0 {
		cfg.Tone = DefaultTone
	}
	if cfg.Gap == 0 {
		cfg.Gap = DefaultGap
	}
	if cfg.Level == 0 {
		cfg.Level = DefaultLevel
	}
	// 4 kHz is the least rate that carries 1633 Hz with room; levels above 0 dBm0 per tone
	// would clip their sum.
	if cfg.Rate < 4000 || cfg.Rate > 192000 || cfg.Tone < 0 || cfg.Gap < 0 || cfg.Tone > 10*time.Second ||
		cfg.Gap > 10*time.Second || cfg.Level > 0 || cfg.Level < -60 {
		return nil, fmt.Errorf("%w: %+v", ErrConfig, cfg)
	}
	for i := 0; i < len(digits); i++ {
		if _, _, ok := Frequencies(digits[i]); !ok {
			return nil, fmt.Errorf("%w: %q", ErrDigit, digits[i])
		}
	}
	tone := int(int64(cfg.Tone) * int64(cfg.Rate) / int64(time.Second))
	gap := int(int64(cfg.Gap) * int64(cfg.Rate) / int64(time.Second))
	return &Generator{
		digits: digits, rate: cfg.Rate, tone: tone, step: tone + gap,
		amp: 32767 * math.Pow(10, (cfg.Level-fullScaleDBm0)/20),
	}, nil
}

// Len is the whole sequence's length in samples.
func (g *Generator) Len() int { return len(g.digits) * g.step }

// Done reports whether every sample was read.
func (g *Generator) Done() bool { return g.pos >= g.Len() }

// Read fills dst with the next samples and returns how many belong to the sequence; past its
// end dst is filled with silence, so a caller may always read whole packets.
func (g *Generator) Read(dst []int16) int {
	n := 0
	for i := range dst {
		if g.pos >= g.Len() {
			dst[i] = 0
			continue
		}
		k, at := g.pos/g.step, g.pos%g.step
		dst[i] = 0
		if at < g.tone {
			low, high, _ := Frequencies(g.digits[k])
			t := float64(at) / float64(g.rate)
			v := g.amp * (math.Sin(2*math.Pi*low*t) + math.Sin(2*math.Pi*high*t))
			dst[i] = int16(math.Max(-32768, math.Min(32767, math.Round(v))))
		}
		g.pos++
		n++
	}
	return n
}
