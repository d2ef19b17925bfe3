package aac

/*
#cgo pkg-config: libavcodec libavutil libswresample
#include <errno.h>
#include <stdlib.h>
#include <libavutil/error.h>
#include "libav_shim.h"

static int sc_eagain(void) { return AVERROR(EAGAIN); }
*/
import "C"

import (
	"unsafe"
)

// libav is the Go face of the C shim: one value per encoder, each call one
// step. It converts AVERROR codes to *AVError and nothing more.
type libav struct {
	c *C.sc_aac
}

// eagain is AVERROR(EAGAIN), read once: the macro's sign depends on the
// platform's errno convention, so it is not hard-coded here.
var eagain = int(C.sc_eagain())

func newAVError(op string, code C.int) *AVError {
	var buf [C.AV_ERROR_MAX_STRING_SIZE]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return &AVError{Code: int(code), Op: op, Msg: C.GoString(&buf[0])}
}

func openLibav(inRate, outRate, bitrate int, coder string) (*libav, error) {
	var c *C.sc_aac
	var stage *C.char
	cCoder := C.CString(coder)
	defer C.free(unsafe.Pointer(cCoder))
	if rc := C.sc_aac_open(&c, &stage, C.int(inRate), C.int(outRate), C.int(bitrate), cCoder); rc < 0 {
		return nil, newAVError(C.GoString(stage), rc)
	}
	return &libav{c: c}, nil
}

// frameSize is the encoder's samples per frame (1024 for AAC-LC).
func (l *libav) frameSize() int { return int(l.c.ctx.frame_size) }

// initialPadding is the encoder delay in output samples.
func (l *libav) initialPadding() int { return int(l.c.ctx.initial_padding) }

// extradata is the AudioSpecificConfig the encoder wrote, copied to Go.
func (l *libav) extradata() []byte {
	return C.GoBytes(unsafe.Pointer(l.c.ctx.extradata), l.c.ctx.extradata_size)
}

// fill converts pcm into the pending frame and returns how many samples it
// holds; an empty pcm drains what swresample buffered.
func (l *libav) fill(pcm []int16) (int, error) {
	var p *C.int16_t
	if len(pcm) > 0 {
		p = (*C.int16_t)(unsafe.Pointer(&pcm[0]))
	}
	rc := C.sc_aac_fill(l.c, p, C.int(len(pcm)))
	if rc < 0 {
		return 0, newAVError("swr_convert", rc)
	}
	return int(rc), nil
}

func (l *libav) send() error {
	if rc := C.sc_aac_send(l.c); rc < 0 {
		return newAVError("avcodec_send_frame", rc)
	}
	return nil
}

// receive copies the next packet into dst. ok is false when the encoder
// needs more input first.
func (l *libav) receive(dst []byte) (n int, ok bool, err error) {
	rc := C.sc_aac_receive(l.c, (*C.uint8_t)(unsafe.Pointer(&dst[0])), C.int(len(dst)))
	switch {
	case int(rc) == eagain:
		return 0, false, nil
	case rc < 0:
		return 0, false, newAVError("avcodec_receive_packet", rc)
	}
	return int(rc), true, nil
}

func (l *libav) close() {
	C.sc_aac_close(l.c)
	l.c = nil
}
