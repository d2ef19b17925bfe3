#!/usr/bin/env bash
# gen.sh — regenerate the reference media in bench/testmedia.
#
# Outputs (committed, so tests never run this script):
#   h264.pcap        ~15 s of 640x360 25 fps H.264 baseline over RTP, PT 112,
#                    packetization-mode 1 (ffmpeg's default H.264 packetizer:
#                    single NAL units + FU-A), SSRC 0x5ca50112.
#   h264-mode0.pcap  the same picture, packetization-mode 0 (single NAL unit
#                    per packet, slices capped at 1100 bytes), PT 113,
#                    SSRC 0x5ca50113.
#   tone.ulaw        15 s 440 Hz sine, raw headerless G.711 µ-law, 8 kHz mono.
#   tone.alaw        the same in G.711 A-law.
#
# How the pcaps are made: ffmpeg encodes testsrc2 (moving pattern) with a
# frame counter burnt in and sends it in real time (-re) as RTP to
# 127.0.0.1:PORT while tcpdump captures that UDP destination port on lo
# (link type Ethernet, packets 127.0.0.1 -> 127.0.0.1). RTCP (PORT+1) is not
# captured. SIPp's play_pcap_video replays the UDP payloads to whatever
# address the SDP answer negotiated.
#
# Every IDR carries SPS+PPS inline (x264 repeat-headers=1), GOP 25 = 1 s, no
# B-frames, ~400 kbit/s. -tune zerolatency -threads 1: no lookahead, so each
# frame leaves as it is read (-re) and the capture is paced at 25 fps to the
# end (with lookahead the last ~18 frames leave in one burst), and one slice
# per frame whatever the machine's core count.
#
# Needs: bash, ffmpeg (libx264, drawtext), tcpdump, root or CAP_NET_RAW,
# a DejaVu Sans Mono font (package fonts-dejavu-core).
#
# Usage: bench/testmedia/gen.sh [OUTDIR]   (default: the script's directory)
#        PORT=40000 bench/testmedia/gen.sh  to choose the capture port.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(cd "${1:-$here}" && pwd)
# The demo callee's clip (h264.pcap, tone.ulaw) is embedded in the binary from demo/clip; with no
# OUTDIR it is written there, the rest here.
clip=$(cd "${1:-$here/../../demo/clip}" && pwd)
duration=15
font=${FONT:-/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf}

for tool in ffmpeg tcpdump; do
	command -v "$tool" >/dev/null || { echo "gen.sh: $tool not found" >&2; exit 1; }
done
[[ -r $font ]] || { echo "gen.sh: font $font not found (set FONT=...)" >&2; exit 1; }

# Picks an even UDP port that nothing on 127.0.0.1 is bound to.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$(( (RANDOM % 10000) * 2 + 30000 ))
		if ! grep -qi ":$(printf '%04X' "$p") " /proc/net/udp; then
			echo "$p"
			return
		fi
	done
	echo "gen.sh: no free port" >&2
	exit 1
}

video_src="testsrc2=size=640x360:rate=25,drawtext=fontfile=${font}:text='frame %{frame_num}':x=12:y=12:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6"

# capture OUT PT SSRC EXTRA_ENCODER_ARGS... -- EXTRA_MUXER_ARGS...
capture() {
	local dst=$1 pt=$2 ssrc=$3
	shift 3
	local enc=() mux=()
	while [[ $# -gt 0 && $1 != -- ]]; do enc+=("$1"); shift; done
	[[ $# -gt 0 ]] && shift
	mux=("$@")

	local port tmp tpid
	port=${PORT:-$(free_port)}
	tmp=$(mktemp -d)
	# -Z root: tcpdump otherwise drops to user tcpdump and may not write $tmp.
	# --immediate-mode -U: hand each packet over and write it at once; without
	# them the last ~0.7 s sit in the kernel's capture ring when tcpdump stops.
	tcpdump -i lo -Z root --immediate-mode -U -s 0 -w "$tmp/cap.pcap" "udp and dst host 127.0.0.1 and dst port $port" \
		2>"$tmp/tcpdump.log" &
	tpid=$!
	# Wait until tcpdump is listening.
	for _ in $(seq 50); do
		grep -q 'listening on' "$tmp/tcpdump.log" && break
		sleep 0.1
	done

	ffmpeg -hide_banner -loglevel warning -nostdin -re \
		-f lavfi -i "$video_src" -t "$duration" \
		-c:v libx264 -profile:v baseline -preset veryfast \
		-tune zerolatency -threads 1 \
		-bf 0 -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p \
		-b:v 400k -maxrate 400k -bufsize 400k \
		"${enc[@]}" \
		-an -f rtp -payload_type "$pt" -ssrc "$ssrc" -seq 1000 "${mux[@]}" \
		"rtp://127.0.0.1:$port?pkt_size=1200" >"$tmp/sdp.txt"

	sleep 1
	kill -INT "$tpid"
	wait "$tpid" || true
	cat "$tmp/tcpdump.log" >&2
	mv "$tmp/cap.pcap" "$dst"
	rm -rf "$tmp"
	echo "gen.sh: wrote $dst ($(stat -c %s "$dst") bytes)" >&2
}

# Mode 1: default packetizer (FU-A for NAL units larger than the payload size).
capture "$clip/h264.pcap" 112 $((0x5ca50112)) \
	-x264-params repeat-headers=1

# Mode 0: every NAL unit must fit in one packet, so slices are capped.
capture "$out/h264-mode0.pcap" 113 $((0x5ca50113)) \
	-x264-params repeat-headers=1 -slice-max-size 1100 \
	-- -rtpflags h264_mode0

tone="sine=frequency=440:sample_rate=8000:duration=$duration"
ffmpeg -hide_banner -loglevel warning -nostdin -y -f lavfi -i "$tone" -ac 1 -ar 8000 -f mulaw "$clip/tone.ulaw"
ffmpeg -hide_banner -loglevel warning -nostdin -y -f lavfi -i "$tone" -ac 1 -ar 8000 -f alaw "$out/tone.alaw"
echo "gen.sh: wrote $clip/tone.ulaw $out/tone.alaw" >&2
