package device

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// tinyCapture is three packets over two frames, 40 ms apart.
func tinyCapture() *capture {
	raw := func(ts uint32, marker bool) []byte {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 112, SequenceNumber: 1, Timestamp: ts, SSRC: 7, Marker: marker}, Payload: []byte{0x65, 1}}
		b, _ := p.Marshal()
		return b
	}
	return &capture{
		pkts: []capPacket{
			{at: 0, ts: 0, raw: raw(1000, false)},
			{at: time.Millisecond, ts: 0, raw: raw(1000, true)},
			{at: 40 * time.Millisecond, ts: 3600, raw: raw(4600, true)},
		},
		periodTS: 7200,
		period:   80 * time.Millisecond,
	}
}

func TestVideoSourceLoopsContinuously(t *testing.T) {
	c := tinyCapture()
	v := &videoSource{cap: c, ids: rtpIDs{pt: 97, ssrc: 0xabc, seq: 65534, tsBase: 0xffffff00}}
	wantAt := []time.Duration{0, time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond, 81 * time.Millisecond, 120 * time.Millisecond, 160 * time.Millisecond}
	wantTS := []uint32{0, 0, 3600, 7200, 7200, 10800, 14400}
	wantMarker := []bool{false, true, true, false, true, true, false}
	var buf []byte
	for i := range wantAt {
		if at := v.nextAt(); at != wantAt[i] {
			t.Fatalf("packet %d due at %v, want %v", i, at, wantAt[i])
		}
		buf = v.packet(buf)
		var p rtp.Packet
		if err := p.Unmarshal(buf); err != nil {
			t.Fatal(err)
		}
		if p.PayloadType != 97 || p.SSRC != 0xabc || p.Version != 2 {
			t.Errorf("packet %d: PT %d SSRC %x", i, p.PayloadType, p.SSRC)
		}
		if want := uint16(65534 + i); p.SequenceNumber != want {
			t.Errorf("packet %d: seq %d, want %d", i, p.SequenceNumber, want)
		}
		if want := uint32(0xffffff00) + wantTS[i]; p.Timestamp != want {
			t.Errorf("packet %d: ts %d, want %d", i, p.Timestamp, want)
		}
		if p.Marker != wantMarker[i] {
			t.Errorf("packet %d: marker %v", i, p.Marker)
		}
	}
	// The capture itself is never modified.
	var orig rtp.Packet
	if err := orig.Unmarshal(c.pkts[0].raw); err != nil || orig.PayloadType != 112 || orig.SequenceNumber != 1 {
		t.Errorf("capture modified: %+v", orig.Header)
	}
}

func TestAudioSourcePacing(t *testing.T) {
	frames := [][]byte{make([]byte, 160), make([]byte, 160)}
	frames[1][0] = 0xff
	a := &audioSource{frames: frames, ids: rtpIDs{pt: 0, ssrc: 5, seq: 10, tsBase: 100}}
	var buf []byte
	for i := range 5 {
		if at := a.nextAt(); at != time.Duration(i)*20*time.Millisecond {
			t.Fatalf("packet %d due at %v", i, at)
		}
		buf = a.packet(buf)
		var p rtp.Packet
		if err := p.Unmarshal(buf); err != nil {
			t.Fatal(err)
		}
		if len(buf) != rtpHeaderLen+160 || p.PayloadType != 0 || p.SSRC != 5 {
			t.Errorf("packet %d: %d bytes PT %d", i, len(buf), p.PayloadType)
		}
		if p.SequenceNumber != uint16(10+i) || p.Timestamp != uint32(100+160*i) {
			t.Errorf("packet %d: seq %d ts %d", i, p.SequenceNumber, p.Timestamp)
		}
		if p.Marker != (i == 0) {
			t.Errorf("packet %d: marker %v", i, p.Marker)
		}
		if p.Payload[0] != frames[i%2][0] {
			t.Errorf("packet %d: wrong frame", i)
		}
	}
}

func BenchmarkVideoPacket(b *testing.B) {
	c, err := loadCapture()
	if err != nil {
		b.Fatal(err)
	}
	v := &videoSource{cap: c, ids: rtpIDs{pt: 97}}
	buf := make([]byte, 0, maxDatagram)
	b.ReportAllocs()
	for b.Loop() {
		buf = v.packet(buf)
	}
}

func TestVideoSourceRealCaptureLoopBoundary(t *testing.T) {
	c, err := loadCapture()
	if err != nil {
		t.Fatal(err)
	}
	v := &videoSource{cap: c, ids: rtpIDs{pt: 97}}
	var prev rtp.Header
	var prevAt time.Duration
	var buf []byte
	for i := range len(c.pkts) + 3 {
		at := v.nextAt()
		buf = v.packet(buf)
		var h rtp.Header
		if _, err := h.Unmarshal(buf); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			if h.SequenceNumber != prev.SequenceNumber+1 || at < prevAt {
				t.Fatalf("packet %d: seq %d after %d, due %v after %v", i, h.SequenceNumber, prev.SequenceNumber, at, prevAt)
			}
			if step := h.Timestamp - prev.Timestamp; step != 0 && step != videoClockRate/25 {
				t.Fatalf("packet %d: timestamp step %d", i, step)
			}
		}
		if i == len(c.pkts) && (h.Timestamp-prev.Timestamp != videoClockRate/25 || at != c.period) {
			t.Errorf("loop restart: step %d at %v, want one frame at %v", h.Timestamp-prev.Timestamp, at, c.period)
		}
		prev, prevAt = h, at
	}
}
