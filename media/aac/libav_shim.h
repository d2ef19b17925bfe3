// Thin C side of the AAC encoder. It exists so that Go never builds C
// pointer arrays (swr_convert takes uint8_t**, which must not live in Go
// memory) and so that one cgo call does one step of work.
#ifndef SIPCAST_AAC_LIBAV_SHIM_H
#define SIPCAST_AAC_LIBAV_SHIM_H

#include <stdint.h>
#include <libavcodec/avcodec.h>
#include <libswresample/swresample.h>

// sc_aac is everything one encoder owns. Nothing here is shared between
// encoders, so many can run at once on different threads.
typedef struct sc_aac {
	AVCodecContext *ctx;
	SwrContext *swr;
	AVFrame *frame;   // one 1024-sample frame, filled in place by swr
	AVPacket *pkt;
	int filled;       // samples already in frame
	int64_t next_pts; // in output samples; keeps libavcodec's af_queue honest
	int16_t none;     // non-NULL input for "drain only": a NULL input would flush swr
} sc_aac;

// sc_aac_open allocates and opens an encoder; coder is the encoder's
// aac_coder option ("fast", "twoloop"). On failure *out is NULL and the
// return value is a negative AVERROR; *stage names the failing call.
int sc_aac_open(sc_aac **out, const char **stage,
                int in_rate, int out_rate, int bitrate, const char *coder);

// sc_aac_fill converts up to n input samples into the pending frame. Input
// that does not fit stays buffered inside swr; call again with n == 0 to
// drain it. Returns the samples now in the frame (== frame_size when full)
// or a negative AVERROR.
int sc_aac_fill(sc_aac *a, const int16_t *in, int n);

// sc_aac_send hands the full pending frame to the encoder and starts a new one.
int sc_aac_send(sc_aac *a);

// sc_aac_receive copies the next ready packet into dst. Returns its size,
// AVERROR(EAGAIN) when none is ready, or another negative AVERROR.
int sc_aac_receive(sc_aac *a, uint8_t *dst, int cap);

// sc_aac_close frees everything; a NULL a is a no-op.
void sc_aac_close(sc_aac *a);

#endif
