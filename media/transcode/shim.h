// Thin C side of the transcoders. Go never builds C pointer arrays and each
// cgo call does one step of work, as in media/aac. Every object owns all of
// its libav state: nothing is shared, so calls can run on many threads at once.
#ifndef SIPCAST_TRANSCODE_SHIM_H
#define SIPCAST_TRANSCODE_SHIM_H

#include <stdint.h>
#include <libavcodec/avcodec.h>

// sc_vtx transcodes video: one decoder (VP8) into one H.264 encoder (libx264),
// opened on the first picture and reopened when the picture size changes.
typedef struct sc_vtx {
	AVCodecContext *dec;
	AVCodecContext *enc;
	AVPacket *pkt;   // decoder input
	AVPacket *out;   // encoder output, held until Go has room for it
	AVFrame *frame;
	int width, height; // of the open encoder
	// encoder settings
	int bitrate;
	int fps;
	char preset[32];
	char x264_params[256];
} sc_vtx;

int sc_vtx_open(sc_vtx **out, const char **stage, const char *decoder,
                int bitrate, int fps, const char *preset, const char *x264_params);

// sc_vtx_decode hands one compressed frame to the decoder.
int sc_vtx_decode(sc_vtx *t, const uint8_t *data, int size, int64_t pts);

// sc_vtx_encode takes the next decoded picture, if any, into the encoder:
// 1 when one went in, AVERROR(EAGAIN) when the decoder has none, or another
// negative AVERROR. force_key makes it an IDR picture. *stage names a failing
// encoder (re)open.
int sc_vtx_encode(sc_vtx *t, int force_key, const char **stage);

// sc_vtx_receive copies the next encoded access unit (Annex B) into dst:
// its size, AVERROR(EAGAIN) when none is ready, or another negative AVERROR.
int sc_vtx_receive(sc_vtx *t, uint8_t *dst, int cap, int64_t *pts, int *key);

// sc_vtx_pending_size is the size of the packet sc_vtx_receive would return,
// so Go can grow its buffer; 0 when none is held.
int sc_vtx_pending_size(sc_vtx *t);

void sc_vtx_close(sc_vtx *t);

#endif
