#!/usr/bin/env bash
# gen.sh — regenerate the black keyframes in media/blackframe.
#
# Outputs (committed and embedded, so neither builds nor tests run this script):
#   black.h264  two access units of a 176x144 black picture in H.264 Annex B:
#               SPS, PPS, IDR slice each. Constrained Baseline (profile_idc 66,
#               constraint_set1), level 1.0, one slice per picture. The two IDRs
#               differ only in idr_pic_id (0, then 1: x264 alternates it), so a
#               sender can alternate them as H.264 7.4.3 asks of consecutive IDR
#               access units. SEI (x264's version banner) is stripped
#               (filter_units): a decoder needs none of it and every byte is
#               sent every 500 ms of every call.
#   black.vp8   one 176x144 black VP8 keyframe, the bare frame (the IVF
#               container's 32-byte file header and 12-byte frame header cut off).
#
# Every NAL unit and the VP8 frame is far below 1200 bytes, so each one fits a
# single RTP packet: H.264 single NAL unit packets (packetization-mode 0 and 1)
# and VP8 with a one-byte payload descriptor.
#
# Needs: bash, ffmpeg (libx264, libvpx).
#
# Usage: media/blackframe/gen.sh [OUTDIR]   (default: the script's directory)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(cd "${1:-$here}" && pwd)

command -v ffmpeg >/dev/null || { echo "gen.sh: ffmpeg not found" >&2; exit 1; }

black="color=c=black:size=176x144:rate=2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -g 1: every picture an IDR with its SPS and PPS. -qp: constant quantiser, no
# rate control to spend bits on a flat picture. -threads 1: one slice.
ffmpeg -hide_banner -loglevel warning -nostdin -y \
	-f lavfi -i "$black" -frames:v 2 \
	-c:v libx264 -profile:v baseline -level 1.0 -preset medium -tune zerolatency -threads 1 \
	-g 1 -keyint_min 1 -qp 36 -pix_fmt yuv420p \
	-bsf:v filter_units=remove_types=6 \
	-f h264 "$out/black.h264"
echo "gen.sh: wrote $out/black.h264 ($(stat -c %s "$out/black.h264") bytes)" >&2

ffmpeg -hide_banner -loglevel warning -nostdin -y \
	-f lavfi -i "$black" -frames:v 1 \
	-c:v libvpx -deadline good -cpu-used 0 -threads 1 -g 1 -crf 40 -b:v 100k -pix_fmt yuv420p \
	-f ivf "$tmp/black.ivf"
tail -c +45 "$tmp/black.ivf" >"$out/black.vp8"
echo "gen.sh: wrote $out/black.vp8 ($(stat -c %s "$out/black.vp8") bytes)" >&2
