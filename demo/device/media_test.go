package device

import (
	"strings"
	"testing"
)

func TestLoadCapture(t *testing.T) {
	c, err := loadCapture()
	if err != nil {
		t.Fatal(err)
	}
	const frame = videoClockRate / 25 // the capture is 25 fps
	if len(c.pkts) < 100 {
		t.Errorf("%d packets", len(c.pkts))
	}
	if span := c.pkts[len(c.pkts)-1].ts; c.periodTS != span+frame {
		t.Errorf("periodTS = %d, want span %d + one frame %d", c.periodTS, span, frame)
	}
	if c.pkts[0].ts != 0 || c.pkts[0].at != 0 {
		t.Errorf("first packet at %v ts %d, want 0, 0", c.pkts[0].at, c.pkts[0].ts)
	}
	// x264 baseline at 640x360 25 fps: constrained baseline, level 3.0.
	for _, want := range []string{"packetization-mode=1", "profile-level-id=42c01e", "sprop-parameter-sets=Z"} {
		if !strings.Contains(c.fmtp, want) {
			t.Errorf("fmtp %q lacks %q", c.fmtp, want)
		}
	}
}

func TestParseCaptureRejectsGarbage(t *testing.T) {
	if _, err := parseCapture([]byte("not a pcap")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestParameterSets(t *testing.T) {
	sps := []byte{0x67, 0x42, 0xc0, 0x1e, 0xaa}
	pps := []byte{0x68, 0xce, 0x3c}
	stap := append([]byte{0x18, 0, byte(len(sps))}, sps...)
	stap = append(stap, 0, byte(len(pps)))
	stap = append(stap, pps...)
	cases := []struct {
		name     string
		payload  []byte
		sps, pps []byte
	}{
		{"STAP-A", stap, sps, pps},
		{"single SPS", sps, sps, nil},
		{"FU-A", []byte{0x7c, 0x85, 1, 2}, nil, nil},
		{"empty", nil, nil, nil},
		{"STAP-A cut short", stap[:5], nil, nil},
	}
	for _, c := range cases {
		s, p := parameterSets(c.payload)
		if string(s) != string(c.sps) || string(p) != string(c.pps) {
			t.Errorf("%s: got %x %x", c.name, s, p)
		}
	}
}

func TestToneFrames(t *testing.T) {
	f := toneFrames()
	if len(f) == 0 {
		t.Fatal("no frames")
	}
	for _, fr := range f {
		if len(fr) != audioFrameBytes {
			t.Fatalf("frame of %d bytes", len(fr))
		}
	}
	if audioFrameBytes != 160 {
		t.Errorf("audioFrameBytes = %d, want 160", audioFrameBytes)
	}
}
