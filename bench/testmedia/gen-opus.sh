#!/usr/bin/env bash
# gen-opus.sh: makes opus.pcap, ~12 s of Opus (48 kHz, RFC 7587, PT 111, in-band FEC on) RTP
# carrying a 660 Hz tone, for the codec-switch test (SIPp replays it with play_pcap_audio after its
# re-INVITE moves the call from PCMU to Opus). voip + 24 kb/s keeps libopus in SILK, where LBRR
# (in-band FEC) exists.
# Made like gen.sh's captures: ffmpeg -re sends RTP to a loopback port, tcpdump captures it.
# Needs ffmpeg with libopus, tcpdump, root. Usage: bench/testmedia/gen-opus.sh [OUTDIR]
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
port=$(( (RANDOM % 10000) * 2 + 30000 ))
tmp=$(mktemp -d)
tcpdump -i lo -Z root --immediate-mode -U -s 0 -w "$tmp/cap.pcap" "udp and dst host 127.0.0.1 and dst port $port" \
	2>"$tmp/tcpdump.log" &
tpid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.log" && break; sleep 0.1; done
ffmpeg -hide_banner -loglevel warning -nostdin -re -f lavfi -i "sine=frequency=660:sample_rate=48000:duration=12" \
	-ac 1 -ar 48000 -c:a libopus -application voip -b:a 24k -fec:a 1 -packet_loss:a 10 -frame_duration 20 -f rtp -payload_type 111 -ssrc $((0x0b050111)) "rtp://127.0.0.1:$port" >/dev/null
sleep 1
kill -INT "$tpid"; wait "$tpid" || true
mv "$tmp/cap.pcap" "$out/opus.pcap"
rm -rf "$tmp"
echo "gen-opus.sh: wrote $out/opus.pcap ($(stat -c %s "$out/opus.pcap") bytes)" >&2
