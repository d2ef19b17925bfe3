// Package dtmftone makes and finds in-band DTMF: the ITU-T Q.23 dual tones (one row and one
// column frequency per key) as 16-bit linear PCM, and a Goertzel detector that reads digits back
// from PCM (Q.24's usual tests: both tones present, each the strongest of its group, twist and
// total-energy limits).
//
// sipcast sends digits this way to a device whose answer did not take RFC 4733 telephone
// events: the tones are encoded in the call's audio codec like any sound. Everything here is
// pure and allocation-free in the sample loops.
package dtmftone
