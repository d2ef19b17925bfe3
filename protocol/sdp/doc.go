// Package sdp builds the gateway's SDP offer and reads the answer, for the
// SIP UAC side of a call (RFC 3264 offer/answer over RFC 4566 SDP).
//
// The offer has the shape of the spec (PCMA and PCMU audio; H.264 video in
// packetization modes 1 and 0), optionally followed or preceded by the other
// codecs the gateway receives (Speex, Opus, VP8) in a configured order. The
// answer is reduced to what the
// media pipeline needs: where to send and latch RTP and RTCP, the chosen
// codecs and their parameters, and whether the peer will send at all.
//
// Syntax is left to github.com/pion/sdp/v3; this package adds the
// limits, the semantics and the tolerance that SIP peers need.
package sdp
