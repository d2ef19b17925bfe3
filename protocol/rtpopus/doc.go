// Package rtpopus reads Opus RTP payloads (RFC 7587): one Opus packet per RTP
// packet, on a 48 kHz RTP clock whatever the audio bandwidth.
//
// Depacketizing Opus is mostly validation: the TOC byte (RFC 6716 §3.1) says
// how many frames the packet holds and how long they last, which is what the
// receiver needs to place the decoded audio and to size the silence that
// replaces a lost packet. The Depacketizer is a plain single-threaded struct;
// feed it packets in sequence order (a jitter buffer upstream).
package rtpopus
