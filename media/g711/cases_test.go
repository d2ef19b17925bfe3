package g711

// codecCase is one known code/sample pair for one law. The table is shared by
// the unit tests and seeds the fuzz target.
type codecCase struct {
	name   string
	law    string // "ulaw" or "alaw"
	code   byte
	sample int16 // what code decodes to
	// encodesBack is false where G.711 has two codes for one value
	// (µ-law's negative zero 0x7F), so encode(decode(code)) != code.
	encodesBack bool
}

var codecCases = []codecCase{
	{"ulaw positive zero", "ulaw", 0xff, 0, true},
	{"ulaw negative zero", "ulaw", 0x7f, 0, false},
	{"ulaw smallest positive", "ulaw", 0xfe, 8, true},
	{"ulaw smallest negative", "ulaw", 0x7e, -8, true},
	{"ulaw loudest negative", "ulaw", 0x00, -32124, true},
	{"ulaw loudest positive", "ulaw", 0x80, 32124, true},
	{"ulaw segment 1 start", "ulaw", 0xef, 132, true},
	{"alaw smallest positive", "alaw", 0xd5, 8, true},
	{"alaw smallest negative", "alaw", 0x55, -8, true},
	{"alaw loudest positive", "alaw", 0xaa, 32256, true},
	{"alaw loudest negative", "alaw", 0x2a, -32256, true},
	{"alaw segment 1 start", "alaw", 0xc5, 264, true},
}

// encodeCases pins the encoder on values that are not decoder outputs:
// extremes, zero and the one's-complement behaviour of A-law.
var encodeCases = []struct {
	name   string
	law    string
	sample int16
	code   byte
}{
	{"ulaw zero", "ulaw", 0, 0xff},
	{"ulaw max clips", "ulaw", 32767, 0x80},
	{"ulaw min clips", "ulaw", -32768, 0x00},
	{"ulaw -1 rounds to negative zero", "ulaw", -1, 0x7f},
	{"alaw zero", "alaw", 0, 0xd5},
	{"alaw -1", "alaw", -1, 0x55},
	{"alaw max", "alaw", 32767, 0xaa},
	{"alaw min", "alaw", -32768, 0x2a},
}

func decodeFn(law string) func([]int16, []byte) []int16 {
	if law == "alaw" {
		return DecodeAlaw
	}
	return DecodeUlaw
}

func encodeFn(law string) func([]byte, []int16) []byte {
	if law == "alaw" {
		return EncodeAlaw
	}
	return EncodeUlaw
}
