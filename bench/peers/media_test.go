package peers

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sipcast/sipcast/demo/clip"
)

// profileLevelID is what the scenarios' SDP answers announce
// (a=fmtp:... profile-level-id=42c01e): Constrained Baseline, level 3.0.
const profileLevelID = "42c01e"

// TestMediaPCAPs checks the committed H.264 captures the way a gateway will
// see them replayed: one SSRC, consecutive sequence numbers, one marker per
// frame, 90 kHz timestamps advancing 3600 per frame at 25 fps, and every
// access unit starting with SPS+PPS at each one-second IDR.
func TestMediaPCAPs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file       string
		pt         uint8
		ssrc       uint32
		aggregated bool // STAP-A and FU-A (mode 1) or single NAL units only (mode 0)
	}{
		{"h264.pcap", 112, 0x5ca50112, true},
		{"h264-mode0.pcap", 113, 0x5ca50113, false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			path, err := MediaPath(c.file)
			if err != nil {
				t.Fatal(err)
			}
			pkts, err := clip.ReadPCAP(path)
			if err != nil {
				t.Fatal(err)
			}
			checkH264Capture(t, pkts, c.pt, c.ssrc, c.aggregated)
		})
	}
}

func checkH264Capture(t *testing.T, pkts []clip.Packet, pt uint8, ssrc uint32, aggregated bool) {
	t.Helper()
	if len(pkts) < 500 || len(pkts) > 2000 {
		t.Fatalf("%d packets, want ~800", len(pkts))
	}
	var (
		prev         rtp.Packet
		frames       int
		idrs         int
		sps          []byte
		packetTypes  = map[uint8]int{}
		maxGap       time.Duration
		frameStart   = true // the next packet begins an access unit
		auUnits      []uint8
		idrWithoutPS int
	)
	for i, raw := range pkts {
		var p rtp.Packet
		if err := p.Unmarshal(raw.Payload); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if p.PayloadType != pt || p.SSRC != ssrc || p.Version != 2 {
			t.Fatalf("packet %d: PT %d SSRC %#x version %d, want PT %d SSRC %#x", i, p.PayloadType, p.SSRC, p.Version, pt, ssrc)
		}
		if i > 0 {
			if p.SequenceNumber != prev.SequenceNumber+1 {
				t.Fatalf("packet %d: sequence %d after %d", i, p.SequenceNumber, prev.SequenceNumber)
			}
			d := p.Timestamp - prev.Timestamp // wraps correctly in uint32
			switch {
			case prev.Marker && (d == 0 || d%3600 != 0 || d > 3*3600):
				t.Fatalf("packet %d: timestamp +%d after a frame's last packet, want +3600", i, d)
			case !prev.Marker && d != 0:
				t.Fatalf("packet %d: timestamp +%d inside a frame", i, d)
			}
			maxGap = max(maxGap, raw.Time-pkts[i-1].Time)
		}
		packetTypes[p.Payload[0]&0x1f]++
		units := h264Units(p.Payload)
		for j, u := range units {
			if u == 7 && sps == nil {
				sps = unitBytes(p.Payload, j)
			}
		}
		if frameStart {
			auUnits = auUnits[:0]
		}
		auUnits = append(auUnits, units...)
		frameStart = p.Marker
		if p.Marker {
			frames++
			if containsUnit(auUnits, 5) {
				idrs++
				if !containsUnit(auUnits, 7) || !containsUnit(auUnits, 8) {
					idrWithoutPS++
				}
			}
			if frames == 1 && !containsUnit(auUnits, 5) {
				t.Errorf("the first frame is not an IDR: units %v", auUnits)
			}
		}
		prev = p
	}

	if d := pkts[len(pkts)-1].Time; d < 14*time.Second || d > 16*time.Second {
		t.Errorf("capture spans %v, want ~15 s", d)
	}
	if maxGap > 200*time.Millisecond {
		t.Errorf("largest gap between packets %v: not captured in real time?", maxGap)
	}
	if frames < 360 || frames > 380 {
		t.Errorf("%d frames (marker bits), want 375 (15 s at 25 fps)", frames)
	}
	if idrs < 14 || idrs > 16 || idrWithoutPS > 0 {
		t.Errorf("%d IDR frames (%d without SPS+PPS), want 15 each with SPS+PPS", idrs, idrWithoutPS)
	}
	if agg := packetTypes[24] > 0 || packetTypes[28] > 0; agg != aggregated {
		t.Errorf("packet types %v, STAP-A/FU-A expected: %v", packetTypes, aggregated)
	}
	if len(sps) < 4 {
		t.Fatal("no SPS found")
	}
	if got := fmt.Sprintf("%x", sps[1:4]); got != profileLevelID {
		t.Errorf("SPS profile-level-id %s, the scenarios announce %s", got, profileLevelID)
	}
	t.Logf("%d packets, %d frames, %d IDRs, packet types %v, profile-level-id %x", len(pkts), frames, idrs, packetTypes, sps[1:4])
}

func containsUnit(units []uint8, t uint8) bool {
	for _, u := range units {
		if u == t {
			return true
		}
	}
	return false
}

// unitBytes returns the j-th NAL unit of a single-NAL or STAP-A payload.
func unitBytes(payload []byte, j int) []byte {
	if payload[0]&0x1f != 24 {
		return payload
	}
	rest := payload[1:]
	for i := 0; len(rest) >= 2; i++ {
		n := int(rest[0])<<8 | int(rest[1])
		if 2+n > len(rest) {
			return nil
		}
		if i == j {
			return rest[2 : 2+n]
		}
		rest = rest[2+n:]
	}
	return nil
}

// TestMediaTones checks the raw G.711 files SIPp's rtp_stream loops: 15 s at
// 8000 bytes/s, a tone rather than silence, and the scenarios that name them.
func TestMediaTones(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tone.ulaw", "tone.alaw"} {
		path, err := MediaPath(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 15*8000 {
			t.Errorf("%s: %d bytes, want %d", name, len(b), 15*8000)
		}
		distinct := map[byte]bool{}
		for _, v := range b {
			distinct[v] = true
		}
		if len(distinct) < 20 {
			t.Errorf("%s: only %d distinct samples, want a sine", name, len(distinct))
		}
	}
	if got := clip.ToneUlaw(); len(got) != 15*8000 {
		t.Errorf("embedded tone.ulaw: %d bytes", len(got))
	}
	pkts, err := clip.ParsePCAP(clip.H264PCAP())
	if err != nil || len(pkts) < 500 {
		t.Errorf("embedded h264.pcap: %d packets, %v", len(pkts), err)
	}
	// Each media scenario names files that exist in bench/testmedia.
	for scenario, files := range map[string][]string{
		"uas_h264_pcmu.xml":   {`rtp_stream="tone.ulaw,-1,0"`, `play_pcap_video="h264.pcap"`},
		"uas_h264m0_pcma.xml": {`rtp_stream="tone.alaw,-1,8"`, `play_pcap_video="h264-mode0.pcap"`},
		"uas_h264m0_loop.xml": {`rtp_stream="tone.alaw,-1,8"`, `play_pcap_video="h264-mode0.pcap"`, `ontimeout="1"`},
		"uas_hangup.xml":      {`rtp_stream="tone.ulaw,-1,0"`, `play_pcap_video="h264.pcap"`},
	} {
		path, err := ScenarioPath(scenario)
		if err != nil {
			t.Fatal(err)
		}
		xml, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.Contains(string(xml), f) {
				t.Errorf("%s does not contain %s", scenario, f)
			}
		}
	}
}
