package rtmp

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/bytecounter"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/gortmplib/pkg/message"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

// discardConn is a gortmplib.Conn whose messages go through gortmplib's real message and chunk
// writers into io.Discard: FLV tag building and RTMP chunking without a socket.
type discardConn struct {
	w *message.Writer
}

func newDiscardConn() (*discardConn, error) {
	return newWriterConn(io.Discard)
}

// newWriterConn is a discardConn whose chunks go to out.
func newWriterConn(out io.Writer) (*discardConn, error) {
	bc := bytecounter.NewWriter(out)
	c := &discardConn{w: message.NewWriter(bc, bc, false)}
	// As gortmplib's client does after the handshake: large chunks, one per video frame.
	return c, c.Write(&message.SetChunkSize{Value: 65536})
}

func (c *discardConn) BytesReceived() uint64 { return 0 }
func (c *discardConn) BytesSent() uint64     { return 0 }
func (c *discardConn) Write(m message.Message) error {
	return c.w.Write(m)
}
func (c *discardConn) Read() (message.Message, error) { return nil, errors.ErrUnsupported }

// captureAUs depacketises the committed 640x360 capture into access units.
func captureAUs(b testing.TB) (aus [][][]byte, sps, pps []byte) {
	pkts, err := clip.ParsePCAP(clip.H264PCAP())
	if err != nil {
		b.Fatal(err)
	}
	var d rtph264.Depacketizer
	for _, p := range pkts {
		var pkt pionrtp.Packet
		if err := pkt.Unmarshal(p.Payload); err != nil {
			b.Fatal(err)
		}
		au, _, _ := d.Push(&pkt)
		if len(au) == 0 {
			continue
		}
		if s, q := rtph264.ExtractParams(au); s != nil && sps == nil {
			sps, pps = s, q
		}
		aus = append(aus, au)
	}
	if sps == nil || len(aus) == 0 {
		b.Fatal("no access units with parameter sets in the capture")
	}
	return aus, sps, pps
}

// BenchmarkFLVWrite is the publisher's writer goroutine without its socket: one op is one frame
// of a call's stream, video access units of the capture (25 fps) interleaved with AAC frames
// (8 kHz, one per 128 ms) in their real proportion, written with gortmplib's Writer.
func BenchmarkFLVWrite(b *testing.B) {
	conn, err := newDiscardConn()
	if err != nil {
		b.Fatal(err)
	}
	benchmarkWrite(b, conn)
}

// BenchmarkRTMPSocketWrite is BenchmarkFLVWrite with the chunks written to a loopback TCP
// connection that a goroutine drains, as an RTMP server reads them: the publisher's system call
// per frame on top of the FLV and chunk building.
func BenchmarkRTMPSocketWrite(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
	}()
	tcp, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer tcp.Close()
	conn, err := newWriterConn(tcp)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkWrite(b, conn)
}

// benchmarkWrite writes the capture's access units and AAC frames through conn; one op is one
// frame.
func benchmarkWrite(b *testing.B, conn *discardConn) {
	aus, sps, pps := captureAUs(b)
	var err error
	video := &gortmplib.Track{Codec: &codecs.H264{SPS: sps, PPS: pps}}
	audio := &gortmplib.Track{Codec: &codecs.MPEG4Audio{Config: &mpeg4audio.AudioSpecificConfig{
		Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 8000, ChannelCount: 1}}}
	w := &gortmplib.Writer{Conn: conn, Tracks: []*gortmplib.Track{video, audio}}
	if err := w.Initialize(); err != nil {
		b.Fatal(err)
	}
	aac := make([]byte, 120) // a 32 kbit/s AAC frame's size
	const videoDur, audioDur = 40 * time.Millisecond, 128 * time.Millisecond
	var vi, ai int
	b.ReportAllocs()
	for b.Loop() {
		vpts, apts := time.Duration(vi)*videoDur, time.Duration(ai)*audioDur
		if apts < vpts {
			err = w.WriteMPEG4Audio(audio, apts, aac)
			ai++
		} else {
			err = w.WriteH264(video, vpts, vpts, aus[vi%len(aus)])
			vi++
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
