package rtp

import (
	"errors"
	"fmt"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// Configure chooses one pipe per line from its kind, codec and the RTMP side's audio codec.
func TestNewPipe(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		codec  string
		output frame.AudioCodec
		want   string // the pipe's type; "" for ErrUnsupportedCodec
	}{
		{Video, sdp.NameH264, frame.AAC, "*rtp.h264Pipe"},
		{Video, sdp.NameVP8, frame.AAC, "*rtp.vp8Pipe"},
		{Audio, sdp.NamePCMU, frame.AAC, "*rtp.g711Pipe"},
		{Audio, sdp.NamePCMA, frame.AAC, "*rtp.g711Pipe"},
		{Audio, sdp.NamePCMA, frame.PCMU, "*rtp.passPipe"}, // A-law → µ-law without AAC
		{Audio, sdp.NameSpeex, frame.Speex, "*rtp.passPipe"},
		{Audio, sdp.NameSpeex, frame.AAC, "*rtp.codedPipe"},
		{Audio, sdp.NameOpus, frame.AAC, "*rtp.codedPipe"},
		{Audio, sdp.NameH264, frame.AAC, ""}, // a video codec on an audio line
		{Video, sdp.NamePCMU, frame.AAC, ""},
		{Audio, sdp.NameG722, frame.AAC, ""},
	} {
		t.Run(fmt.Sprintf("%s %s to %v", tc.kind, tc.codec, tc.output), func(t *testing.T) {
			c := &Configure{Codec: tc.codec, ClockRate: 8000, Output: tc.output}
			p, err := newPipe(tc.kind, c, pipeConfig{}, &countSink{})
			if tc.want == "" {
				if !errors.Is(err, ErrUnsupportedCodec) {
					t.Fatalf("err %v, want ErrUnsupportedCodec", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer p.close()
			if got := fmt.Sprintf("%T", p); got != tc.want {
				t.Fatalf("pipe %s, want %s", got, tc.want)
			}
		})
	}
}

// recordSink records what reaches the actor's side of the path.
type recordSink struct {
	frames, needKeys, keys int
	lost                   []int
}

func (s *recordSink) publish(any) { s.frames++ }
func (s *recordSink) transcode(m any) {
	s.frames++
	if f, ok := m.(*frame.EncodedAudio); ok {
		s.lost = append(s.lost, f.Lost)
	}
}
func (s *recordSink) needKey()      { s.needKeys++ }
func (s *recordSink) gotKey([]byte) { s.keys++ }

// Without the jitter buffer the sequence check tells the pipe how many packets were lost, and
// only within one source: a new SSRC's numbers are not a gap.
func TestSeqStageLoss(t *testing.T) {
	var out recordSink
	p, err := newCodedPipe(&Configure{Codec: sdp.NameOpus, ClockRate: 48000, Zero: time.Now()}, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	s := &seqStage{next: p}
	opus := []byte{0xF8, 0xFF, 0xFE} // 20 ms CELT silence
	for _, h := range []pionrtp.Header{
		{SSRC: 1, SequenceNumber: 10, Timestamp: 0},
		{SSRC: 1, SequenceNumber: 11, Timestamp: 960},
		{SSRC: 1, SequenceNumber: 14, Timestamp: 3840}, // 12 and 13 lost
		{SSRC: 2, SequenceNumber: 500, Timestamp: 0},   // new source
		{SSRC: 2, SequenceNumber: 499, Timestamp: 0},   // late: no gap
	} {
		s.push(&pionrtp.Packet{Header: h, Payload: opus}, time.Now(), 0)
	}
	want := []int{0, 0, 2, 0, 0}
	if fmt.Sprint(out.lost) != fmt.Sprint(want) {
		t.Fatalf("lost %v, want %v", out.lost, want)
	}
}

// An H.264 pipe asks for a key frame when packets before a packet were lost, and when its last
// key frame is older than the key interval — once, until the next key frame comes.
func TestH264PipeAsksForKeys(t *testing.T) {
	var out recordSink
	zero := time.Now()
	v := newH264Pipe(&Configure{Codec: sdp.NameH264, ClockRate: 90000, Zero: zero}, 2*time.Second, &out)
	idr := []byte{0x65, 0x88, 0x80}   // a single NAL unit packet: IDR slice
	inter := []byte{0x41, 0x9a, 0x00} // non-IDR slice
	sps, pps := goodSPS, goodPPS      // valid parameter sets (video_guard_test.go): the IDR is a complete key frame
	push := func(seq uint16, payload []byte, at time.Duration, lost int) {
		v.push(&pionrtp.Packet{Header: pionrtp.Header{SSRC: 7, SequenceNumber: seq, Timestamp: uint32(at / (time.Second / 90000)), Marker: true},
			Payload: payload}, zero.Add(at), lost)
	}
	push(1, sps, 0, 0)
	push(2, pps, 0, 0)
	push(3, idr, 0, 0)
	if out.keys != 1 || out.needKeys != 0 {
		t.Fatalf("after the IDR: keys %d needKeys %d", out.keys, out.needKeys)
	}
	push(4, inter, time.Second, 1)
	if out.needKeys != 1 {
		t.Fatalf("a loss asked %d times, want once", out.needKeys)
	}
	push(5, inter, 3*time.Second, 0)
	push(6, inter, 4*time.Second, 0)
	if out.needKeys != 2 {
		t.Fatalf("a stale key frame asked %d times in all, want 2", out.needKeys)
	}
	push(7, idr, 5*time.Second, 0)
	push(8, inter, 8*time.Second, 0)
	if out.keys != 2 || out.needKeys != 3 {
		t.Fatalf("after a second interval: keys %d needKeys %d, want 2 and 3", out.keys, out.needKeys)
	}
}
