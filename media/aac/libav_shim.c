#include "libav_shim.h"

#include <errno.h>
#include <string.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

// SC_LOG_OFFSET demotes this encoder's log lines by two levels: closing a
// live encoder always prints "Qavg" (info) and "frames left in the queue"
// (warning), once per call, which a gateway must not do. Errors still show
// (as info) and reach Go as return codes. Per context, so no process-wide
// av_log_set_level.
#define SC_LOG_OFFSET (AV_LOG_DEBUG - AV_LOG_INFO)

int sc_aac_open(sc_aac **out, const char **stage,
                int in_rate, int out_rate, int bitrate, const char *opts) {
	int ret;
	AVChannelLayout mono;
	AVDictionary *dict = NULL;
	sc_aac *a;

	*out = NULL;
	*stage = "av_mallocz";
	a = av_mallocz(sizeof(*a));
	if (!a)
		return AVERROR(ENOMEM);

	// By name, not by AV_CODEC_ID_AAC: the ID could pick libfdk_aac on
	// another build, with other delay and quality.
	*stage = "avcodec_find_encoder_by_name(aac)";
	const AVCodec *codec = avcodec_find_encoder_by_name("aac");
	if (!codec) {
		ret = AVERROR_ENCODER_NOT_FOUND;
		goto fail;
	}

	*stage = "avcodec_alloc_context3";
	a->ctx = avcodec_alloc_context3(codec);
	if (!a->ctx) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	av_channel_layout_default(&mono, 1);
	*stage = "av_channel_layout_copy";
	if ((ret = av_channel_layout_copy(&a->ctx->ch_layout, &mono)) < 0)
		goto fail;
	a->ctx->sample_fmt = AV_SAMPLE_FMT_FLTP; // the only format the native encoder takes
	a->ctx->sample_rate = out_rate;
	a->ctx->bit_rate = bitrate;
	a->ctx->profile = FF_PROFILE_AAC_LOW;
	a->ctx->time_base = (AVRational){1, out_rate};
	// Ask for the AudioSpecificConfig in extradata: RTMP sends it once.
	a->ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	a->ctx->log_level_offset = SC_LOG_OFFSET;

	*stage = "av_dict_parse_string";
	if ((ret = av_dict_parse_string(&dict, opts, "=", ":", 0)) < 0)
		goto fail;
	*stage = "avcodec_open2";
	ret = avcodec_open2(a->ctx, codec, &dict);
	if (ret >= 0 && av_dict_count(dict) > 0) {
		// open2 leaves what it did not know: a misspelt option must not
		// be ignored.
		*stage = "avcodec_open2 (an option the encoder does not know)";
		ret = AVERROR_OPTION_NOT_FOUND;
	}
	av_dict_free(&dict);
	if (ret < 0)
		goto fail;

	if (in_rate != out_rate) {
		*stage = "swr_alloc_set_opts2";
		ret = swr_alloc_set_opts2(&a->swr,
		                          &mono, AV_SAMPLE_FMT_FLTP, out_rate,
		                          &mono, AV_SAMPLE_FMT_S16, in_rate,
		                          SC_LOG_OFFSET, NULL);
		if (ret < 0)
			goto fail;
		*stage = "swr_init";
		if ((ret = swr_init(a->swr)) < 0)
			goto fail;
	}

	*stage = "av_frame_alloc";
	a->frame = av_frame_alloc();
	if (!a->frame) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	a->frame->format = AV_SAMPLE_FMT_FLTP;
	a->frame->sample_rate = out_rate;
	a->frame->nb_samples = a->ctx->frame_size;
	*stage = "av_channel_layout_copy(frame)";
	if ((ret = av_channel_layout_copy(&a->frame->ch_layout, &mono)) < 0)
		goto fail;
	*stage = "av_frame_get_buffer";
	if ((ret = av_frame_get_buffer(a->frame, 0)) < 0)
		goto fail;

	*stage = "av_packet_alloc";
	a->pkt = av_packet_alloc();
	if (!a->pkt) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}

	*stage = "";
	*out = a;
	return 0;

fail:
	av_dict_free(&dict);
	sc_aac_close(a);
	return ret;
}

// fill_frame converts up to n samples into the pending frame and returns how
// many of them it consumed (swr takes all n, buffering what does not fit;
// an n of 0 then drains it), or a negative AVERROR.
static int fill_frame(sc_aac *a, const int16_t *in, int n) {
	int ret;

	if (a->filled == 0) {
		// The encoder may still hold a reference to the last frame's
		// buffer; this copies only in that case.
		if ((ret = av_frame_make_writable(a->frame)) < 0)
			return ret;
	}
	int room = a->ctx->frame_size - a->filled;
	float *dst = (float *)a->frame->data[0] + a->filled;
	if (!a->swr) {
		// The same conversion swr does for S16 to FLT, without its call.
		int k = n < room ? n : room;
		for (int i = 0; i < k; i++)
			dst[i] = in[i] * (1.0f / 32768.0f);
		a->filled += k;
		return k;
	}
	const uint8_t *src[1] = {(const uint8_t *)(n ? in : &a->none)};
	uint8_t *out[1] = {(uint8_t *)dst};
	if ((ret = swr_convert(a->swr, out, room, src, n)) < 0)
		return ret;
	a->filled += ret;
	return n;
}

// send_frame hands the full pending frame to the encoder and copies out every
// packet that is ready.
static int send_frame(sc_aac *a, uint8_t *dst, int cap, int *used, int *sizes, int max_packets, int *count) {
	int ret;

	a->frame->pts = a->next_pts;
	a->next_pts += a->filled;
	a->filled = 0;
	if ((ret = avcodec_send_frame(a->ctx, a->frame)) < 0)
		return ret;
	for (;;) {
		ret = avcodec_receive_packet(a->ctx, a->pkt);
		if (ret == AVERROR(EAGAIN))
			return 0;
		if (ret < 0)
			return ret;
		int size = a->pkt->size;
		if (*count == max_packets || size > cap - *used) {
			av_packet_unref(a->pkt);
			return AVERROR_BUFFER_TOO_SMALL;
		}
		memcpy(dst + *used, a->pkt->data, (size_t)size);
		*used += size;
		sizes[(*count)++] = size;
		av_packet_unref(a->pkt);
	}
}

int sc_aac_encode(sc_aac *a, const int16_t *in, int n,
                  uint8_t *dst, int cap, int *sizes, int max_packets) {
	int ret, used = 0, count = 0;

	// Without swr, input past a full frame is taken in the next round;
	// with swr, it waits inside swr and later rounds drain it (n == 0).
	for (;;) {
		if ((ret = fill_frame(a, in, n)) < 0)
			return ret;
		if (ret > 0) {
			in += ret;
			n -= ret;
		}
		if (a->filled < a->ctx->frame_size)
			return count; // every input sample is taken
		if ((ret = send_frame(a, dst, cap, &used, sizes, max_packets, &count)) < 0)
			return ret;
	}
}

void sc_aac_close(sc_aac *a) {
	if (!a)
		return;
	av_packet_free(&a->pkt);
	av_frame_free(&a->frame);
	swr_free(&a->swr);
	avcodec_free_context(&a->ctx);
	av_free(a);
}
