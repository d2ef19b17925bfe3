// Package blackframe holds one tiny black picture, as an H.264 and as a VP8 keyframe, for the
// comfort video sipcast sends on a video line it declared sendrecv: softphones that time out a
// stream with no RTP hang up a call whose video stays silent, and a decoder can show a keyframe
// on its own at any time.
//
// The pictures are 176x144 (QCIF), a few hundred bytes in all, made by gen.sh with ffmpeg and
// embedded; every NAL unit, and the VP8 frame, fits one RTP packet.
package blackframe
