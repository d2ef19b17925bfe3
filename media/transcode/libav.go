package transcode

/*
#cgo pkg-config: libavcodec libavutil
#include <errno.h>
#include <stdlib.h>
#include <libavutil/error.h>
#include "shim.h"

static int sc_eagain(void) { return AVERROR(EAGAIN); }
static int sc_eof(void) { return AVERROR_EOF; }
*/
import "C"

import "unsafe"

// eagain and eof are read once: the macros' values depend on the platform.
var (
	eagain = int(C.sc_eagain())
	eof    = int(C.sc_eof())
)

func newAVError(op string, code C.int) *AVError {
	var buf [C.AV_ERROR_MAX_STRING_SIZE]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return &AVError{Code: int(code), Op: op, Msg: C.GoString(&buf[0])}
}

// cBytes points C at a Go byte slice for the duration of one call (cgo's
// pointer rules allow it: the C side copies and keeps nothing).
func cBytes(b []byte) (*C.uint8_t, C.int) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.int(len(b))
}

// vtx is the Go face of sc_vtx.
type vtx struct{ c *C.sc_vtx }

func openVtx(decoder string, bitrate, fps int, preset, params string) (*vtx, error) {
	var c *C.sc_vtx
	var stage *C.char
	cDec, cPreset, cParams := C.CString(decoder), C.CString(preset), C.CString(params)
	defer C.free(unsafe.Pointer(cDec))
	defer C.free(unsafe.Pointer(cPreset))
	defer C.free(unsafe.Pointer(cParams))
	if rc := C.sc_vtx_open(&c, &stage, cDec, C.int(bitrate), C.int(fps), cPreset, cParams); rc < 0 {
		return nil, newAVError(C.GoString(stage), rc)
	}
	return &vtx{c: c}, nil
}

func (v *vtx) decode(frame []byte, ptsMS int64) error {
	p, n := cBytes(frame)
	if rc := C.sc_vtx_decode(v.c, p, n, C.int64_t(ptsMS)); rc < 0 {
		return newAVError("avcodec_send_packet", rc)
	}
	return nil
}

// encode moves the next decoded picture into the encoder; ok is false when
// the decoder had none.
func (v *vtx) encode(forceKey bool) (ok bool, err error) {
	var stage *C.char
	k := C.int(0)
	if forceKey {
		k = 1
	}
	rc := C.sc_vtx_encode(v.c, k, &stage)
	switch {
	case int(rc) == eagain || int(rc) == eof:
		return false, nil
	case rc < 0:
		op := "avcodec_receive_frame"
		if stage != nil && C.GoString(stage) != "" {
			op = C.GoString(stage)
		}
		return false, newAVError(op, rc)
	}
	return true, nil
}

// pendingSize is the size of the next encoded access unit, 0 when none.
func (v *vtx) pendingSize() int { return int(C.sc_vtx_pending_size(v.c)) }

func (v *vtx) receive(dst []byte) (n int, ptsMS int64, key bool, err error) {
	var pts C.int64_t
	var k C.int
	rc := C.sc_vtx_receive(v.c, (*C.uint8_t)(unsafe.Pointer(&dst[0])), C.int(len(dst)), &pts, &k)
	if rc < 0 {
		return 0, 0, false, newAVError("avcodec_receive_packet", rc)
	}
	return int(rc), int64(pts), k != 0, nil
}

func (v *vtx) close() { C.sc_vtx_close(v.c) }
