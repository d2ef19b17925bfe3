package transcode

/*
#cgo pkg-config: opus speex
#include <stdlib.h>
#include <opus.h>
#include <speex/speex.h>

// sc_speex is one libspeex decoder with its bit reader: SpeexBits is a
// struct the decoder reads through a pointer, so both live in C memory.
typedef struct {
	void *st;
	SpeexBits bits;
	int frame;
} sc_speex;

static sc_speex *sc_speex_open(int wideband) {
	sc_speex *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->st = speex_decoder_init(speex_lib_get_mode(wideband ? SPEEX_MODEID_WB : SPEEX_MODEID_NB));
	if (!d->st) {
		free(d);
		return NULL;
	}
	int on = 1;
	speex_decoder_ctl(d->st, SPEEX_SET_ENH, &on); // the perceptual enhancer, as FFmpeg's wrapper sets it
	speex_decoder_ctl(d->st, SPEEX_GET_FRAME_SIZE, &d->frame);
	speex_bits_init(&d->bits);
	return d;
}

// sc_speex_decode decodes every frame of data into out (at most cap samples):
// the samples written, or -2 for a corrupt stream.
static int sc_speex_decode(sc_speex *d, const char *data, int size, short *out, int cap) {
	int n = 0;
	speex_bits_read_from(&d->bits, (char *)data, size);
	while (n + d->frame <= cap) {
		// Fewer than 5 bits, or the terminator: the packet's padding.
		if (speex_bits_remaining(&d->bits) < 5 || speex_bits_peek_unsigned(&d->bits, 5) == 0xF)
			break;
		int ret = speex_decode_int(d->st, &d->bits, out + n);
		if (ret == -1)
			break;
		if (ret < 0)
			return -2;
		n += d->frame;
	}
	return n;
}

// sc_speex_conceal makes one frame up from the decoder's state (its PLC).
static int sc_speex_conceal(sc_speex *d, short *out) {
	speex_decode_int(d->st, NULL, out);
	return d->frame;
}

static void sc_speex_close(sc_speex *d) {
	speex_bits_destroy(&d->bits);
	speex_decoder_destroy(d->st);
	free(d);
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// The Opus and Speex decoders are libopus and libspeex themselves, not libavcodec's: concealing
// a lost packet needs the decoder's own state — libopus decodes the in-band FEC (LBRR) of the
// next packet or extrapolates (PLC), libspeex extrapolates — and libavcodec's API has no way to
// ask for either (an empty packet means end of stream; FFmpeg's native Opus decoder has no PLC).

// opusDec is the Go face of a libopus decoder.
type opusDec struct {
	st   *C.OpusDecoder
	rate int
}

// openOpus opens a decoder of mono PCM at rate: libopus mixes a stereo stream down itself.
func openOpus(rate int) (*opusDec, error) {
	var e C.int
	st := C.opus_decoder_create(C.opus_int32(rate), 1, &e)
	if e != C.OPUS_OK || st == nil {
		return nil, opusError("opus_decoder_create", e)
	}
	return &opusDec{st: st, rate: rate}, nil
}

// decode decodes pkt into dst; fec decodes instead the in-band FEC it carries of the packet
// before it, len(dst) samples of it (PLC when it carries none).
func (o *opusDec) decode(pkt []byte, dst []int16, fec bool) (int, error) {
	p, n := cBytes(pkt)
	f := C.int(0)
	if fec {
		f = 1
	}
	rc := C.opus_decode(o.st, (*C.uchar)(unsafe.Pointer(p)), C.opus_int32(n), (*C.opus_int16)(unsafe.Pointer(&dst[0])), C.int(len(dst)), f)
	if rc < 0 {
		return 0, opusError("opus_decode", rc)
	}
	return int(rc), nil
}

// conceal extrapolates len(dst) samples (a multiple of 2.5 ms) from the decoder's state.
func (o *opusDec) conceal(dst []int16) (int, error) {
	rc := C.opus_decode(o.st, nil, 0, (*C.opus_int16)(unsafe.Pointer(&dst[0])), C.int(len(dst)), 0)
	if rc < 0 {
		return 0, opusError("opus_decode (PLC)", rc)
	}
	return int(rc), nil
}

// samples is the duration of pkt at the decoder's rate, 0 when its TOC does not parse.
func (o *opusDec) samples(pkt []byte) int {
	p, n := cBytes(pkt)
	rc := C.opus_packet_get_nb_samples((*C.uchar)(unsafe.Pointer(p)), C.opus_int32(n), C.opus_int32(o.rate))
	return max(int(rc), 0)
}

func (o *opusDec) close() { C.opus_decoder_destroy(o.st) }

func opusError(op string, code C.int) *AVError {
	return &AVError{Code: int(code), Op: op, Msg: C.GoString(C.opus_strerror(code))}
}

// speexDec is the Go face of sc_speex.
type speexDec struct{ c *C.sc_speex }

func openSpeex(wideband bool) (*speexDec, error) {
	w := C.int(0)
	if wideband {
		w = 1
	}
	c := C.sc_speex_open(w)
	if c == nil {
		return nil, &AVError{Code: -1, Op: "speex_decoder_init", Msg: "no decoder"}
	}
	return &speexDec{c: c}, nil
}

// frame is the samples of one Speex frame: 160 narrowband, 320 wideband.
func (s *speexDec) frame() int { return int(s.c.frame) }

func (s *speexDec) decode(pkt []byte, dst []int16) (int, error) {
	p, n := cBytes(pkt)
	rc := C.sc_speex_decode(s.c, (*C.char)(unsafe.Pointer(p)), n, (*C.short)(unsafe.Pointer(&dst[0])), C.int(len(dst)))
	if rc < 0 {
		return 0, &AVError{Code: int(rc), Op: "speex_decode_int", Msg: fmt.Sprintf("corrupt stream (%d)", int(rc))}
	}
	return int(rc), nil
}

// conceal makes one frame up into dst, which holds at least frame() samples.
func (s *speexDec) conceal(dst []int16) int {
	return int(C.sc_speex_conceal(s.c, (*C.short)(unsafe.Pointer(&dst[0]))))
}

func (s *speexDec) close() { C.sc_speex_close(s.c) }
