package dtmf

import "time"

// payloadCases is shared by the marshal, unmarshal and fuzz tests.
var payloadCases = []struct {
	name  string
	wire  []byte
	value Payload
}{
	{"digit 5 start", []byte{5, 10, 0x00, 0xa0}, Payload{Event: 5, Volume: 10, Duration: 160}},
	{"star end", []byte{10, 0x80 | 10, 0x03, 0x20}, Payload{Event: EventStar, End: true, Volume: 10, Duration: 800}},
	{"D loud", []byte{15, 0, 0xff, 0xff}, Payload{Event: 15, Volume: 0, Duration: 65535}},
	{"flash quiet", []byte{16, 63, 0, 0}, Payload{Event: EventFlash, Volume: 63}},
}

// relayCases is shared by the INFO body tests and the fuzz seed corpus.
var relayCases = []struct {
	name  string
	body  string
	digit byte
	tone  time.Duration
	err   bool
}{
	{"cisco", "Signal=5\r\nDuration=160\r\n", '5', 160 * time.Millisecond, false},
	{"lf and spaces", "Signal= #\nDuration = 100\n", '#', 100 * time.Millisecond, false},
	{"lower letter", "signal=a\r\n", 'A', 0, false},
	{"no signal", "Duration=100\r\n", 0, 0, true},
	{"two chars", "Signal=12\r\n", 0, 0, true},
	{"bad digit", "Signal=E\r\n", 0, 0, true},
	{"bad duration", "Signal=1\r\nDuration=-4\r\n", 0, 0, true},
	{"empty", "", 0, 0, true},
}
