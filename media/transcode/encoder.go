package transcode

/*
#cgo pkg-config: opus speex
#include <stdlib.h>
#include <opus.h>
#include <speex/speex.h>

// sc_speexenc is one libspeex encoder with its bit writer, both in C memory.
typedef struct {
	void *st;
	SpeexBits bits;
	int frame;
} sc_speexenc;

static sc_speexenc *sc_speexenc_open(int wideband) {
	sc_speexenc *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->st = speex_encoder_init(speex_lib_get_mode(wideband ? SPEEX_MODEID_WB : SPEEX_MODEID_NB));
	if (!e->st) {
		free(e);
		return NULL;
	}
	speex_encoder_ctl(e->st, SPEEX_GET_FRAME_SIZE, &e->frame);
	speex_bits_init(&e->bits);
	return e;
}

// sc_speexenc_encode encodes one frame into out: the bytes written.
static int sc_speexenc_encode(sc_speexenc *e, short *pcm, char *out, int cap) {
	speex_bits_reset(&e->bits);
	speex_encode_int(e->st, pcm, &e->bits);
	return speex_bits_write(&e->bits, out, cap);
}

static void sc_speexenc_close(sc_speexenc *e) {
	speex_bits_destroy(&e->bits);
	speex_encoder_destroy(e->st);
	free(e);
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// maxEncoded bounds one encoded 20 ms frame: Opus's own recommended packet ceiling.
const maxEncoded = 1500

// AudioEncoder encodes 20 ms frames of mono PCM as Opus or Speex (8 or 16 kHz): the audio
// sipcast makes itself for a device, such as in-band DTMF tones, and a Speex call's audio for
// browsers. libopus and libspeex directly, as for decoding. Not safe for concurrent use.
type AudioEncoder struct {
	opus  *C.OpusEncoder
	speex *C.sc_speexenc
	frame int
	out   []byte
}

// NewAudioEncoder opens an encoder: Opus taking PCM at 8000, 12000, 16000, 24000 or 48000 Hz
// (its RTP clock is 48 kHz whatever the input's: libopus resamples inside, so a narrow source
// needs no resampler of ours), or Speex at 8000 or 16000 Hz.
func NewAudioEncoder(codec AudioCodec, rate int) (*AudioEncoder, error) {
	e := &AudioEncoder{out: make([]byte, maxEncoded)}
	switch {
	case codec == Opus && opusInputRate(rate):
		var rc C.int
		// The "audio" application: tones and music come through as they are, not as speech.
		st := C.opus_encoder_create(C.opus_int32(rate), 1, C.OPUS_APPLICATION_AUDIO, &rc)
		if rc != C.OPUS_OK || st == nil {
			return nil, fmt.Errorf("%w: %w", ErrInit, opusError("opus_encoder_create", rc))
		}
		e.opus, e.frame = st, rate/50
	case codec == Speex && (rate == 8000 || rate == 16000):
		w := C.int(0)
		if rate == 16000 {
			w = 1
		}
		e.speex = C.sc_speexenc_open(w)
		if e.speex == nil {
			return nil, fmt.Errorf("%w: speex_encoder_init", ErrInit)
		}
		e.frame = int(e.speex.frame)
	default:
		return nil, fmt.Errorf("%w: no encoder for %s at %d Hz", ErrConfig, codec, rate)
	}
	return e, nil
}

// opusInputRate reports whether libopus encodes PCM sampled at rate.
func opusInputRate(rate int) bool {
	switch rate {
	case 8000, 12000, 16000, 24000, 48000:
		return true
	}
	return false
}

// FrameSamples is how many samples Encode takes: 20 ms.
func (e *AudioEncoder) FrameSamples() int { return e.frame }

// Encode encodes exactly FrameSamples samples; the result is valid until the next call.
func (e *AudioEncoder) Encode(pcm []int16) ([]byte, error) {
	switch {
	case e.opus == nil && e.speex == nil:
		return nil, ErrClosed
	case len(pcm) != e.frame:
		return nil, fmt.Errorf("%w: %d samples, want %d", ErrConfig, len(pcm), e.frame)
	}
	if e.opus != nil {
		rc := C.opus_encode(e.opus, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(e.frame),
			(*C.uchar)(unsafe.Pointer(&e.out[0])), C.opus_int32(len(e.out)))
		if rc < 0 {
			return nil, fmt.Errorf("%w: %w", ErrEncode, opusError("opus_encode", rc))
		}
		return e.out[:rc], nil
	}
	n := C.sc_speexenc_encode(e.speex, (*C.short)(unsafe.Pointer(&pcm[0])), (*C.char)(unsafe.Pointer(&e.out[0])), C.int(len(e.out)))
	return e.out[:n], nil
}

// Close frees the encoder; Encode then fails with ErrClosed.
func (e *AudioEncoder) Close() {
	if e.opus != nil {
		C.opus_encoder_destroy(e.opus)
		e.opus = nil
	}
	if e.speex != nil {
		C.sc_speexenc_close(e.speex)
		e.speex = nil
	}
}
