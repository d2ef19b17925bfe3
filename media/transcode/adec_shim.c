#include "shim.h"

#include <errno.h>
#include <string.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

// SC_LOG_OFFSET demotes a decoder's log lines to debug: a device sending a
// corrupt packet must not flood the gateway's stderr; errors reach Go as codes.
#define SC_LOG_OFFSET (AV_LOG_DEBUG - AV_LOG_ERROR)

int sc_adec_open(sc_adec **out, const char **stage, const char *codec, int rate, int channels) {
	int ret;
	sc_adec *d;

	*out = NULL;
	*stage = "av_mallocz";
	d = av_mallocz(sizeof(*d));
	if (!d)
		return AVERROR(ENOMEM);
	d->rate = rate;

	*stage = "avcodec_find_decoder_by_name";
	const AVCodec *c = avcodec_find_decoder_by_name(codec);
	if (!c) {
		ret = AVERROR_DECODER_NOT_FOUND;
		goto fail;
	}
	*stage = "avcodec_alloc_context3";
	d->ctx = avcodec_alloc_context3(c);
	if (!d->ctx) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	d->ctx->sample_rate = rate;
	av_channel_layout_default(&d->ctx->ch_layout, channels);
	d->ctx->log_level_offset = SC_LOG_OFFSET;
	d->ctx->thread_count = 1;
	*stage = "avcodec_open2";
	if ((ret = avcodec_open2(d->ctx, c, NULL)) < 0)
		goto fail;

	*stage = "av_packet_alloc";
	d->pkt = av_packet_alloc();
	d->frame = av_frame_alloc();
	if (!d->pkt || !d->frame) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	*stage = "";
	*out = d;
	return 0;
fail:
	sc_adec_close(d);
	return ret;
}

int sc_adec_send(sc_adec *d, const uint8_t *data, int size) {
	int ret;
	// The packet must own padded memory: decoders read a little past the end.
	if ((ret = av_new_packet(d->pkt, size)) < 0)
		return ret;
	memcpy(d->pkt->data, data, (size_t)size);
	ret = avcodec_send_packet(d->ctx, d->pkt);
	av_packet_unref(d->pkt);
	return ret;
}

// ensure_swr (re)builds the converter for the frame's real format: a decoder
// may announce its output only with the first frame.
static int ensure_swr(sc_adec *d, AVFrame *f) {
	int ret;
	AVChannelLayout mono;
	if (d->swr)
		return 0;
	av_channel_layout_default(&mono, 1);
	ret = swr_alloc_set_opts2(&d->swr, &mono, AV_SAMPLE_FMT_S16, d->rate,
	                          &f->ch_layout, f->format, f->sample_rate, SC_LOG_OFFSET, NULL);
	if (ret < 0)
		return ret;
	return swr_init(d->swr);
}

int sc_adec_receive(sc_adec *d, int16_t *dst, int cap) {
	int ret = avcodec_receive_frame(d->ctx, d->frame);
	if (ret < 0)
		return ret;
	if ((ret = ensure_swr(d, d->frame)) < 0)
		goto done;
	uint8_t *out[1] = {(uint8_t *)dst};
	ret = swr_convert(d->swr, out, cap, (const uint8_t **)d->frame->extended_data, d->frame->nb_samples);
done:
	av_frame_unref(d->frame);
	return ret;
}

void sc_adec_close(sc_adec *d) {
	if (!d)
		return;
	av_frame_free(&d->frame);
	av_packet_free(&d->pkt);
	swr_free(&d->swr);
	avcodec_free_context(&d->ctx);
	av_free(d);
}
