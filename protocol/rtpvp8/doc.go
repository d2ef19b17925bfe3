// Package rtpvp8 turns RTP packets carrying VP8 (RFC 7741) back into VP8
// frames, and tells key frames (with their picture size) from inter frames.
//
// The Depacketizer is a plain single-threaded struct, like rtph264's: it does
// not reorder, so feed it packets in sequence order (a jitter buffer
// upstream). A frame with a packet missing is dropped whole and reported with
// ErrFrameLost: VP8 has no slices to salvage, and a decoder fed half a frame
// only shows garbage until the next key frame.
package rtpvp8
