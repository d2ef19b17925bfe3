#!/bin/sh
# Makes speech.ulaw, the speech the AAC quality test encodes: two synthetic
# voices (espeak-ng, a low male and a higher female one) reading a
# phonetically mixed text, taken to 8 kHz G.711 µ-law as a telephone sends
# it, at about -24 dBFS RMS (-23 LUFS). Needs espeak-ng and ffmpeg (Debian's).
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us -s 150 -w "$tmp/a.wav" \
	"Thank you for calling. Please say the number on your card."
espeak-ng -v en-us+f3 -p 70 -s 160 -w "$tmp/b.wav" \
	"The quick brown fox jumps over the lazy dog at six."
ffmpeg -hide_banner -loglevel error -y -i "$tmp/a.wav" -i "$tmp/b.wav" \
	-filter_complex '[0:a][1:a]concat=n=2:v=0:a=1,aresample=8000,volume=-3dB' \
	-ac 1 -ar 8000 -f mulaw speech.ulaw
