// Package transcode holds the decoders and the encoder of sipcast's
// transcoding paths, over FFmpeg's libavcodec, libopus and libspeex through
// small cgo shims:
//
//   - AudioDecoder: Opus (RFC 7587) or Speex (RFC 5574) packets → mono 16-bit
//     PCM, which media/aac then encodes, over libopus and libspeex so that a
//     lost packet is concealed (Opus in-band FEC, else PLC; Speex PLC);
//   - VideoTranscoder: VP8 frames → H.264 access units (libx264, constrained
//     baseline, no B-frames, one thread, an IDR picture every KeyInterval).
//
// H.264 and G.711 never come here: H.264 passes through, G.711 is decoded in Go.
//
// Each value owns all of its C state (no globals), so calls run in parallel;
// none is safe for concurrent use. Close frees the C memory; a value dropped
// without Close is freed by a runtime cleanup, later.
package transcode
