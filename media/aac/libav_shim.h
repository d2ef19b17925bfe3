// Thin C side of the AAC encoder. It exists so that Go never builds C
// pointer arrays (swr_convert takes uint8_t**, which must not live in Go
// memory) and so that one cgo call encodes one frame: Go buffers the 20 ms
// RTP payloads and crosses into C once per 1024-sample AAC frame.
#ifndef SIPCAST_AAC_LIBAV_SHIM_H
#define SIPCAST_AAC_LIBAV_SHIM_H

#include <stdint.h>
#include <libavcodec/avcodec.h>
#include <libswresample/swresample.h>

// sc_aac is everything one encoder owns. Nothing here is shared between
// encoders, so many can run at once on different threads.
typedef struct sc_aac {
	AVCodecContext *ctx;
	SwrContext *swr;  // NULL when input and output rates agree
	AVFrame *frame;   // one 1024-sample frame, filled in place
	AVPacket *pkt;
	int filled;       // samples already in frame; Go reads it to know how much input completes it
	int64_t next_pts; // in output samples; keeps libavcodec's af_queue honest
	int16_t none;     // non-NULL input for "drain only": a NULL input would flush swr
} sc_aac;

// sc_aac_open allocates and opens an encoder. opts are the encoder's
// options as "key=value:key=value" (aac_coder, cutoff...); one it does not
// know is an error. On failure *out is NULL and the return value is a
// negative AVERROR; *stage names the failing call.
int sc_aac_open(sc_aac **out, const char **stage,
                int in_rate, int out_rate, int bitrate, const char *opts);

// sc_aac_encode converts n input samples, encodes every frame they
// complete and copies each packet that comes out into dst, back to back,
// its size into sizes. Input past the last complete frame stays in the
// pending frame (and, when resampling, inside swr). Returns the number of
// packets, or a negative AVERROR (AVERROR_BUFFER_TOO_SMALL when dst or
// sizes cannot hold them).
int sc_aac_encode(sc_aac *a, const int16_t *in, int n,
                  uint8_t *dst, int cap, int *sizes, int max_packets);

// sc_aac_close frees everything; a NULL a is a no-op.
void sc_aac_close(sc_aac *a);

#endif
