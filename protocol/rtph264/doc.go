// Package rtph264 turns RTP packets carrying H.264 (RFC 6184) back into
// access units: lists of NAL units without start codes.
//
// Packetization modes 0 and 1 are supported: single NAL unit packets, STAP-A
// aggregates and FU-A fragments. The interleaved-mode structures (STAP-B,
// MTAP16, MTAP24, FU-B) are rejected with ErrUnsupportedPacketization; an
// offer never advertises packetization-mode=2, so a peer sending them is
// broken.
//
// The Depacketizer is a plain single-threaded struct. It does not reorder:
// feed it packets in sequence order (a jitter buffer upstream, if any).
package rtph264
