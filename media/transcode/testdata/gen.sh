#!/usr/bin/env bash
# gen.sh: makes the transcoders' test inputs with ffmpeg (libvpx, libopus). Tests never run it;
# rerunning changes the bytes (encoders are not bit-exact across versions): commit them together.
set -euo pipefail
cd "$(dirname "$0")"
q=(-hide_banner -loglevel error -nostdin -y)
# VP8, 2 s at 25 fps, a key frame every second, 160x120; then the same at 176x144 (a size change).
ffmpeg "${q[@]}" -f lavfi -i testsrc2=size=160x120:rate=25:duration=2 -c:v libvpx -b:v 150k -g 25 -keyint_min 25 \
	-deadline realtime -cpu-used 8 -auto-alt-ref 0 -lag-in-frames 0 vp8-160x120.ivf
ffmpeg "${q[@]}" -f lavfi -i testsrc2=size=176x144:rate=25:duration=1 -c:v libvpx -b:v 150k -g 25 -keyint_min 25 \
	-deadline realtime -cpu-used 8 -auto-alt-ref 0 -lag-in-frames 0 vp8-176x144.ivf
# Opus, 1 s of a 440 Hz tone, stereo at 48 kHz, 20 ms packets, as softphones send it.
ffmpeg "${q[@]}" -f lavfi -i sine=frequency=440:sample_rate=48000:duration=1 -ac 2 -c:a libopus -b:a 48k \
	-frame_duration 20 -application voip tone.opus
# Opus as a softphone sends it with in-band FEC: mono SILK at 24 kb/s, LBRR on, for the
# loss-concealment tests (a dropped packet is rebuilt from the next one's FEC). The 440 Hz tone
# wavers (3 Hz tremolo, 4 Hz vibrato): SILK's voice activity detector calls a steady sine
# inactive after a few frames, and inactive frames carry no LBRR.
ffmpeg "${q[@]}" -f lavfi -i "aevalsrc=(0.5+0.4*sin(2*PI*3*t))*sin(2*PI*440*t+3*sin(2*PI*4*t)):s=48000:d=1" \
	-ac 1 -c:a libopus -b:a 24k \
	-frame_duration 20 -application voip -fec:a 1 -packet_loss:a 10 tone-fec.opus
