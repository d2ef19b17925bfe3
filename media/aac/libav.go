package aac

/*
#cgo pkg-config: libavcodec libavutil libswresample
#include <stdlib.h>
#include <libavutil/error.h>
#include "libav_shim.h"
*/
import "C"

import (
	"unsafe"
)

// libav is the Go face of the C shim: one value per encoder, one cgo call
// per AAC frame. It converts AVERROR codes to *AVError and nothing more.
type libav struct {
	c     *C.sc_aac
	sizes [maxPacketsPerCall]C.int // of the packets the last encode returned
	calls int                      // encode calls made, for the test that there is one per frame
}

func newAVError(op string, code C.int) *AVError {
	var buf [C.AV_ERROR_MAX_STRING_SIZE]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return &AVError{Code: int(code), Op: op, Msg: C.GoString(&buf[0])}
}

// maxPacketsPerCall bounds the packets one encode call can return. Go calls
// once per frame the input completes, and the encoder gives at most one
// packet per frame it is sent; two leave room for a frame that a
// resampler's rounding completed one call early.
const maxPacketsPerCall = 2

func openLibav(inRate, outRate, bitrate int, opts string) (*libav, error) {
	var c *C.sc_aac
	var stage *C.char
	cOpts := C.CString(opts)
	defer C.free(unsafe.Pointer(cOpts))
	if rc := C.sc_aac_open(&c, &stage, C.int(inRate), C.int(outRate), C.int(bitrate), cOpts); rc < 0 {
		return nil, newAVError(C.GoString(stage), rc)
	}
	return &libav{c: c}, nil
}

// frameSize is the encoder's samples per frame (1024 for AAC-LC).
func (l *libav) frameSize() int { return int(l.c.ctx.frame_size) }

// initialPadding is the encoder delay in output samples.
func (l *libav) initialPadding() int { return int(l.c.ctx.initial_padding) }

// filled is how many output samples the pending frame holds. A read of C
// memory, not a call.
func (l *libav) filled() int { return int(l.c.filled) }

// extradata is the AudioSpecificConfig the encoder wrote, copied to Go.
func (l *libav) extradata() []byte {
	return C.GoBytes(unsafe.Pointer(l.c.ctx.extradata), l.c.ctx.extradata_size)
}

// encode is the one cgo call per frame: it converts pcm, encodes every
// frame it completes and copies the packets into dst back to back, their
// sizes for size. It returns the number of packets.
func (l *libav) encode(pcm []int16, dst []byte) (int, error) {
	l.calls++
	var p *C.int16_t
	if len(pcm) > 0 {
		p = (*C.int16_t)(unsafe.Pointer(&pcm[0]))
	}
	rc := C.sc_aac_encode(l.c, p, C.int(len(pcm)),
		(*C.uint8_t)(unsafe.Pointer(&dst[0])), C.int(len(dst)), &l.sizes[0], maxPacketsPerCall)
	if rc < 0 {
		return 0, newAVError("sc_aac_encode", rc)
	}
	return int(rc), nil
}

// size is the size of packet i of the last encode.
func (l *libav) size(i int) int { return int(l.sizes[i]) }

func (l *libav) close() {
	C.sc_aac_close(l.c)
	l.c = nil
}
