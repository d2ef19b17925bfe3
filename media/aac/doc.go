// Package aac encodes a call's PCM audio to AAC-LC for RTMP/FLV, in process,
// through cgo over FFmpeg's libavcodec (its native "aac" encoder) and
// libswresample.
//
// libavcodec is used rather than a pure-Go encoder because the same library
// later decodes Opus, Speex and VP8 and encodes H.264, it is maintained and
// packaged by Debian, and its native AAC encoder is solid.
//
// Each [Encoder] owns its AVCodecContext and SwrContext; the package keeps no
// global state, so one process runs one encoder per call for many calls at
// once. An Encoder itself is not safe for concurrent use: it has one owner.
//
// # Encoder delay
//
// Like every MDCT codec, AAC needs one frame of look-ahead: libavcodec's
// native encoder reports it as AVCodecContext.initial_padding, 1024 samples
// at the output rate, and its first access unit decodes to those priming
// samples rather than to the first input. [Encoder.Delay] returns that figure
// so the caller can place timestamps: the access unit with index k (counting
// from 0 for this encoder) starts at output sample k*1024 - Delay() of the
// input, that is at
//
//	start + time.Duration(k*1024-e.Delay()) * time.Second / time.Duration(e.SampleRate())
//
// At 8 kHz the delay is 128 ms, enough to be heard as lip-sync error if it
// is ignored; at 48 kHz it is 21.3 ms. FLV cannot carry a negative
// timestamp, so a caller either drops the first access unit or shifts the
// whole audio track by the delay.
package aac
