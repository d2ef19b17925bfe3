#include "shim.h"

#include <errno.h>
#include <string.h>
#include <libavutil/avstring.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

// As in adec_shim.c: a corrupt frame from a device is the device's problem,
// reported to Go as a code, not a line on the gateway's stderr per frame.
#define SC_LOG_OFFSET (AV_LOG_DEBUG - AV_LOG_ERROR)

int sc_vtx_open(sc_vtx **out, const char **stage, const char *decoder,
                int bitrate, int fps, const char *preset, const char *x264_params) {
	int ret;
	sc_vtx *t;

	*out = NULL;
	*stage = "av_mallocz";
	t = av_mallocz(sizeof(*t));
	if (!t)
		return AVERROR(ENOMEM);
	t->bitrate = bitrate;
	t->fps = fps;
	av_strlcpy(t->preset, preset, sizeof(t->preset));
	av_strlcpy(t->x264_params, x264_params, sizeof(t->x264_params));

	*stage = "avcodec_find_decoder_by_name";
	const AVCodec *c = avcodec_find_decoder_by_name(decoder);
	if (!c) {
		ret = AVERROR_DECODER_NOT_FOUND;
		goto fail;
	}
	*stage = "avcodec_alloc_context3(decoder)";
	t->dec = avcodec_alloc_context3(c);
	if (!t->dec) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	// One thread per call: a gateway runs many calls, and frame threading
	// would add a frame of delay per thread.
	t->dec->thread_count = 1;
	t->dec->log_level_offset = SC_LOG_OFFSET;
	*stage = "avcodec_open2(decoder)";
	if ((ret = avcodec_open2(t->dec, c, NULL)) < 0)
		goto fail;

	*stage = "av_packet_alloc";
	t->pkt = av_packet_alloc();
	t->out = av_packet_alloc();
	t->frame = av_frame_alloc();
	if (!t->pkt || !t->out || !t->frame) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	*stage = "";
	*out = t;
	return 0;
fail:
	sc_vtx_close(t);
	return ret;
}

int sc_vtx_decode(sc_vtx *t, const uint8_t *data, int size, int64_t pts) {
	int ret;
	if ((ret = av_new_packet(t->pkt, size)) < 0)
		return ret;
	memcpy(t->pkt->data, data, (size_t)size);
	t->pkt->pts = pts;
	ret = avcodec_send_packet(t->dec, t->pkt);
	av_packet_unref(t->pkt);
	return ret;
}

// open_encoder opens libx264 for pictures of w x h (even: 4:2:0 needs it).
static int open_encoder(sc_vtx *t, int w, int h, const char **stage) {
	int ret;
	AVDictionary *opts = NULL;

	avcodec_free_context(&t->enc);
	*stage = "avcodec_find_encoder_by_name(libx264)";
	const AVCodec *c = avcodec_find_encoder_by_name("libx264");
	if (!c)
		return AVERROR_ENCODER_NOT_FOUND;
	*stage = "avcodec_alloc_context3(encoder)";
	t->enc = avcodec_alloc_context3(c);
	if (!t->enc)
		return AVERROR(ENOMEM);
	t->enc->width = w;
	t->enc->height = h;
	t->enc->pix_fmt = AV_PIX_FMT_YUV420P;
	// Timestamps in ms, as the call's timeline; the frame rate is only the
	// rate control's assumption of frame duration (x264 without lookahead).
	t->enc->time_base = (AVRational){1, 1000};
	t->enc->framerate = (AVRational){t->fps, 1};
	t->enc->bit_rate = t->bitrate;
	t->enc->rc_max_rate = t->bitrate;
	t->enc->rc_buffer_size = t->bitrate; // one second of VBV: near-CBR, as live ingest wants
	// Key frames come from the caller, by time (sc_vtx_encode's force_key);
	// x264's own would follow the frame count, which a variable-rate device
	// makes meaningless.
	t->enc->gop_size = 1 << 20;
	t->enc->max_b_frames = 0;
	t->enc->thread_count = 1;
	t->enc->profile = FF_PROFILE_H264_CONSTRAINED_BASELINE;
	t->enc->log_level_offset = SC_LOG_OFFSET;
	av_dict_set(&opts, "preset", t->preset, 0);
	av_dict_set(&opts, "profile", "baseline", 0);
	av_dict_set(&opts, "forced-idr", "1", 0);
	if (t->x264_params[0])
		av_dict_set(&opts, "x264-params", t->x264_params, 0);
	*stage = "avcodec_open2(libx264)";
	ret = avcodec_open2(t->enc, c, &opts);
	av_dict_free(&opts);
	if (ret < 0) {
		avcodec_free_context(&t->enc);
		return ret;
	}
	t->width = w;
	t->height = h;
	return 0;
}

int sc_vtx_encode(sc_vtx *t, int force_key, const char **stage) {
	int ret = avcodec_receive_frame(t->dec, t->frame);
	if (ret < 0)
		return ret;
	int w = t->frame->width & ~1, h = t->frame->height & ~1;
	if (w < 2 || h < 2 || t->frame->format != AV_PIX_FMT_YUV420P) {
		ret = AVERROR_INVALIDDATA;
		goto done;
	}
	if (!t->enc || w != t->width || h != t->height) {
		// A new size: the stream restarts with fresh parameter sets on an IDR.
		if ((ret = open_encoder(t, w, h, stage)) < 0)
			goto done;
		force_key = 1;
	}
	t->frame->width = w; // drops an odd last column or row
	t->frame->height = h;
	if (t->frame->pts == AV_NOPTS_VALUE)
		t->frame->pts = t->frame->best_effort_timestamp;
	t->frame->pict_type = force_key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
	t->frame->key_frame = force_key;
	*stage = "avcodec_send_frame";
	ret = avcodec_send_frame(t->enc, t->frame);
	if (ret >= 0)
		ret = 1;
done:
	av_frame_unref(t->frame);
	return ret;
}

int sc_vtx_pending_size(sc_vtx *t) {
	if (!t->enc)
		return 0;
	if (t->out->size == 0 && avcodec_receive_packet(t->enc, t->out) < 0)
		return 0;
	return t->out->size;
}

int sc_vtx_receive(sc_vtx *t, uint8_t *dst, int cap, int64_t *pts, int *key) {
	int ret;
	if (!t->enc)
		return AVERROR(EAGAIN);
	if (t->out->size == 0 && (ret = avcodec_receive_packet(t->enc, t->out)) < 0)
		return ret;
	ret = t->out->size;
	if (ret > cap)
		return AVERROR_BUFFER_TOO_SMALL;
	memcpy(dst, t->out->data, (size_t)ret);
	*pts = t->out->pts;
	*key = (t->out->flags & AV_PKT_FLAG_KEY) != 0;
	av_packet_unref(t->out);
	return ret;
}

void sc_vtx_close(sc_vtx *t) {
	if (!t)
		return;
	av_frame_free(&t->frame);
	av_packet_free(&t->out);
	avcodec_free_context(&t->enc);
	avcodec_free_context(&t->dec);
	av_free(t);
}
