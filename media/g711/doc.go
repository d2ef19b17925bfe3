// Package g711 converts between 16-bit linear PCM and the two ITU-T G.711
// companding laws: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, payload
// type 8).
//
// Decoding goes through 256-entry tables built at start-up from the
// standard's segment arithmetic, so the hot path is one lookup per sample.
// Encoding computes each code directly: it is only needed for the occasional
// silence or comfort-noise packet.
package g711
