package rtpopus

// step is one packet pushed into a Depacketizer and what Push must return.
type step struct {
	seq     uint16
	ts      uint32
	payload []byte

	ok      bool
	samples int
	frames  int
	stereo  bool
	lost    int
	wantErr error
}

// depackCase is a packet sequence, shared by the unit test, the fuzz seeds
// and the benchmark.
type depackCase struct {
	name  string
	steps []step
}

// toc builds a TOC byte: configuration, stereo flag and frame count code.
func toc(config int, stereo bool, code int) byte {
	b := byte(config<<3 | code)
	if stereo {
		b |= 0x04
	}
	return b
}

func opus(first byte, n int) []byte {
	b := make([]byte, 1+n)
	b[0] = first
	for i := 1; i < len(b); i++ {
		b[i] = byte(i * 29)
	}
	return b
}

var depackCases = []depackCase{
	{"CELT FB 20 ms stereo, as browsers and baresip send", []step{
		{seq: 1, ts: 0, payload: opus(toc(31, true, 0), 80), ok: true, samples: 960, frames: 1, stereo: true},
		{seq: 2, ts: 960, payload: opus(toc(31, true, 0), 80), ok: true, samples: 960, frames: 1, stereo: true},
	}},
	{"SILK WB 20 ms and 60 ms", []step{
		{seq: 1, ts: 0, payload: opus(toc(9, false, 0), 40), ok: true, samples: 960, frames: 1},
		{seq: 2, ts: 960, payload: opus(toc(11, false, 0), 120), ok: true, samples: 2880, frames: 1},
	}},
	{"two frames, code 1 and code 2", []step{
		{seq: 1, ts: 0, payload: opus(toc(13, false, 1), 60), ok: true, samples: 1920, frames: 2},
		{seq: 2, ts: 1920, payload: append([]byte{toc(18, false, 2), 10}, make([]byte, 30)...), ok: true, samples: 960, frames: 2},
	}},
	{"code 3: frame count byte", []step{
		{seq: 1, ts: 0, payload: []byte{toc(16, false, 3), 0x06, 1, 2, 3}, ok: true, samples: 720, frames: 6},
		{seq: 2, ts: 720, payload: []byte{toc(16, false, 3)}, wantErr: ErrMalformed},
		{seq: 3, ts: 1440, payload: []byte{toc(16, false, 3), 0x00}, wantErr: ErrMalformed},
		{seq: 4, ts: 2160, payload: []byte{toc(3, false, 3), 0x03, 0}, wantErr: ErrMalformed}, // 180 ms
	}},
	{"loss is counted, duplicates and empty payloads skipped", []step{
		{seq: 65534, ts: 0, payload: opus(toc(31, false, 0), 10), ok: true, samples: 960, frames: 1},
		{seq: 65534, ts: 0, payload: opus(toc(31, false, 0), 10)},
		{seq: 1, ts: 2880, payload: opus(toc(31, false, 0), 10), ok: true, samples: 960, frames: 1, lost: 2},
		{seq: 2, ts: 3840},
		{seq: 3, ts: 4800, payload: opus(toc(31, false, 0), 10), ok: true, samples: 960, frames: 1},
	}},
	{"a jump too long to conceal", []step{
		{seq: 1, ts: 0, payload: opus(toc(31, false, 0), 10), ok: true, samples: 960, frames: 1},
		{seq: 1000, ts: 0, payload: opus(toc(31, false, 0), 10), ok: true, samples: 960, frames: 1},
	}},
}
