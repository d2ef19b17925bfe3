#!/usr/bin/env bash
# gen-speex.sh: makes speex.pcap, ~15 s of Speex wideband (16 kHz, RFC 5574, PT 97) RTP
# carrying a 440 Hz tone, for the Speex passthrough test (SIPp replays it with play_pcap_audio).
# Made like gen.sh's captures: ffmpeg -re sends RTP to a loopback port, tcpdump captures it.
# Needs ffmpeg with libspeex, tcpdump, root. Usage: bench/testmedia/gen-speex.sh [OUTDIR]
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
port=$(( (RANDOM % 10000) * 2 + 30000 ))
tmp=$(mktemp -d)
tcpdump -i lo -Z root --immediate-mode -U -s 0 -w "$tmp/cap.pcap" "udp and dst host 127.0.0.1 and dst port $port" \
	2>"$tmp/tcpdump.log" &
tpid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.log" && break; sleep 0.1; done
ffmpeg -hide_banner -loglevel warning -nostdin -re -f lavfi -i "sine=frequency=440:sample_rate=16000:duration=15" \
	-ac 1 -ar 16000 -c:a libspeex -f rtp -payload_type 97 -ssrc $((0x5ca50097)) "rtp://127.0.0.1:$port" >/dev/null
sleep 1
kill -INT "$tpid"; wait "$tpid" || true
mv "$tmp/cap.pcap" "$out/speex.pcap"
rm -rf "$tmp"
echo "gen-speex.sh: wrote $out/speex.pcap ($(stat -c %s "$out/speex.pcap") bytes)" >&2
