// Package rtpspeex reads Speex RTP payloads (RFC 5574): one or more Speex
// frames of 20 ms, bit-packed back to back and ended by the Speex terminator,
// narrowband on an 8 kHz clock or wideband on a 16 kHz one.
//
// Speex frames are not byte-aligned and carry no length, so counting them
// means walking the bitstream through each frame's mode (the sizes of
// libspeex's sub-modes). The count is what places the decoded audio and tells
// a multi-frame packet from a single one. The Depacketizer is a plain
// single-threaded struct; feed it packets in sequence order.
package rtpspeex
