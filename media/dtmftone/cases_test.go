package dtmftone

import "time"

// toneCases is the one table of the round-trip test (generate, then detect), the level test and
// the fuzz seeds.
var toneCases = []struct {
	name   string
	digits string
	cfg    Config
}{
	{"every key at 8 kHz", "0123456789*#ABCD", Config{Rate: 8000}},
	{"repeated key needs its gap", "9999", Config{Rate: 8000}},
	{"wideband", "147*", Config{Rate: 16000}},
	{"opus rate", "2580#", Config{Rate: 48000}},
	{"short tones (Q.24's 40 ms)", "159D", Config{Rate: 8000, Tone: 50 * time.Millisecond, Gap: 50 * time.Millisecond}},
	{"quiet (−25 dBm0)", "36", Config{Rate: 8000, Level: -25}},
	{"lower case letters", "abcd", Config{Rate: 8000}},
}
