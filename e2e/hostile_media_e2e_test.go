package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Issue #12, played as the attacker did: an SPS that cannot be parsed (pic_order_cnt_type 14)
// followed by an IDR, sent to a live call's (predictable) video port. It used to panic the RTMP
// library in the writer goroutine: the stream went silent for good while the call still said
// RTMP_STREAM_ACTIVE.
var (
	hostileSPS = []byte{0x67, 0x42, 0xc0, 0x1f, 0xc7, 0xa0, 0x28, 0x0b, 0xe4}
	hostileIDR = append([]byte{0x65, 0x88, 0x84, 0x00}, make([]byte, 60)...)
)

// hostileAU is the attack as RTP: the SPS, then the IDR with the marker, from one SSRC.
func hostileAU(ssrc uint32, seq uint16, ts uint32, pt uint8) [][]byte {
	var out [][]byte
	for i, nal := range [][]byte{hostileSPS, hostileIDR} {
		b, err := (&pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: pt, SSRC: ssrc, Timestamp: ts,
			SequenceNumber: seq + uint16(i), Marker: i == 1}, Payload: nal}).Marshal()
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	return out
}

// rtmpTrail records every rtmpStreamStatus the call's events carry.
type rtmpTrail struct {
	mu       sync.Mutex
	statuses []string
}

func (g *gateway) trailRTMP(t *testing.T, callID string) *rtmpTrail {
	tr := &rtmpTrail{}
	events := g.subscribe(t, callID)
	go func() {
		for ev := range events {
			var c callapi.Call
			if ev.name != "CallStatusEvent" || json.Unmarshal(ev.data, &c) != nil {
				continue
			}
			tr.mu.Lock()
			tr.statuses = append(tr.statuses, str(c.RTMPStreamStatus))
			tr.mu.Unlock()
		}
	}()
	return tr
}

func (tr *rtmpTrail) since(n int) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.statuses[min(n, len(tr.statuses)):]...)
}

func (tr *rtmpTrail) len() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.statuses)
}

// requireStreamAlive wants the call ESTABLISHED + RTMP_STREAM_ACTIVE, no other RTMP status since
// mark, no panic in the log, and the RTMP stream read back from nginx-rtmp decoding.
func requireStreamAlive(t *testing.T, g *gateway, tr *rtmpTrail, mark int, callID, url string) {
	t.Helper()
	c := g.waitFor(callID, 5*time.Second, "ESTABLISHED", func(c callapi.Call) bool { return c.Status == callapi.StatusEstablished })
	if got := str(c.RTMPStreamStatus); got != callapi.RTMPStreamActive {
		t.Fatalf("rtmpStreamStatus %s after the attack", got)
	}
	for _, s := range tr.since(mark) {
		if s != callapi.RTMPStreamActive {
			t.Fatalf("rtmpStreamStatus went %s during the attack: %v", s, tr.since(mark))
		}
	}
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), url, 3)
	if err != nil || frames < 25 {
		t.Fatalf("stream after the attack: %d frames in 3 s, err %v\n%s", frames, err, stderr)
	}
	if strings.Contains(g.logs(), "goroutine panicked") {
		t.Fatal("a goroutine panicked")
	}
}

// Strangers: the attack from another address and from another port of the device's address,
// each also a run of packets in sequence (as a source proving itself would send), to both media
// ports, with latching on (the loosest policy). Every packet is dropped and counted before it
// reaches a depacketiser; nothing latches on them; the stream and its status are unharmed.
func TestE2ESpoofedSPSFromStrangers(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t, "SIPCAST_RTP_LATCHING=true")
	startCall(t, g, sipp, "spoof", ngx.URL("live"), "spoof", nil)
	g.waitFor("spoof", 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	// The attack is on a live call: the device's own media reached both lines first. (Before
	// the device sends anything, latching takes whoever is first; the device's SDP address then
	// takes its place back at once, see actors/rtp/source.go.)
	for _, kind := range []string{"audio", "video"} {
		waitLog(t, g, 10*time.Second, `"msg":"first media packet"`, `"kind":"`+kind+`"`, `"callId":"spoof"`)
	}
	tr := g.trailRTMP(t, "spoof")
	mark := tr.len()
	audioPort, videoPort := offerPorts(t, sipp.Messages())
	before := metricValue(t, g, "sipcast_rtp_strangers_total")

	var strangers []*net.UDPConn
	for _, ip := range []net.IP{net.IPv4(127, 0, 0, 2), net.IPv4(127, 0, 0, 1)} {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		strangers = append(strangers, conn)
	}
	video := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: videoPort}
	audio := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: audioPort}
	sent := 0
	for round := range 20 {
		for i, conn := range strangers {
			for _, b := range hostileAU(0x5f00+uint32(i), uint16(2*round), uint32(round)*3000, 112) {
				if _, err := conn.WriteToUDP(b, video); err != nil {
					t.Fatal(err)
				}
				sent++
			}
			noise, _ := (&pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 0x6f00 + uint32(i),
				SequenceNumber: uint16(round), Timestamp: uint32(round) * 160}, Payload: make([]byte, 160)}).Marshal()
			if _, err := conn.WriteToUDP(noise, audio); err != nil {
				t.Fatal(err)
			}
			sent++
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d packets sent from %v and %v", sent, strangers[0].LocalAddr(), strangers[1].LocalAddr())

	requireStreamAlive(t, g, tr, mark, "spoof", ngx.URL("live")+"/spoof")
	if got := metricValue(t, g, "sipcast_rtp_strangers_total") - before; got < float64(sent) {
		t.Fatalf("%v strangers' packets counted, %d sent", got, sent)
	}
	if got := metricValue(t, g, `sipcast_media_rejected_total{reason="h264_params"}`); got != 0 {
		t.Fatalf("%v hostile access units reached the depacketiser", got)
	}
	for _, conn := range strangers {
		port := itoa(conn.LocalAddr().(*net.UDPAddr).Port)
		for _, line := range strings.Split(g.logs(), "\n") {
			if strings.Contains(line, `"msg":"latched"`) && strings.Contains(line, ":"+port) {
				t.Fatalf("latched on a stranger: %s", line)
			}
		}
	}
	if code, res := g.post("/call/terminate", `{"callId":"spoof"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d %s", code, res)
	}
}

// The device itself: the attack comes from the very source sipcast took as the device's, with
// its SSRC and sequence numbers, in the middle of a real H.264 stream. sipcast drops the access
// units whose SPS it cannot parse (counted), asks for a keyframe, and the stream goes on from
// the next good one; nothing reaches the RTMP library, no status changes.
func TestE2ESpoofedSPSFromDevice(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_answer_only.xml")
	g := startGateway(t)
	startCall(t, g, sipp, "inband", ngx.URL("live"), "inband", nil)
	g.waitFor("inband", 10*time.Second, "ESTABLISHED", func(c callapi.Call) bool { return c.Status == callapi.StatusEstablished })
	_, videoPort := offerPorts(t, sipp.Messages())
	pkts, err := clip.ParsePCAP(clip.H264PCAP())
	if err != nil {
		t.Fatal(err)
	}
	dev, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: videoPort}

	// The device streams the clip in a loop, in real time, on one SSRC and one sequence; the
	// attack is spliced into that stream (attack is closed when it has been sent).
	stop, attack := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var seq uint16
		var base uint32
		start := time.Now()
		var offset time.Duration
		for loop := 0; ; loop++ {
			var last uint32
			for _, p := range pkts {
				var pkt pionrtp.Packet
				if pkt.Unmarshal(p.Payload) != nil {
					continue
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Until(start.Add(offset + p.Time))):
				}
				select {
				case <-attack:
				default:
					if loop > 0 || p.Time > 3*time.Second {
						for range 5 {
							for _, b := range hostileAU(0xd0d0, seq, base+pkt.Timestamp+1, 112) {
								_, _ = dev.WriteToUDP(b, to)
							}
							seq += 2
						}
						close(attack)
					}
				}
				pkt.SSRC, pkt.PayloadType, pkt.SequenceNumber = 0xd0d0, 112, seq
				pkt.Timestamp = base + pkt.Timestamp
				last = pkt.Timestamp
				seq++
				if b, err := pkt.Marshal(); err == nil {
					_, _ = dev.WriteToUDP(b, to)
				}
			}
			base, offset = last+3000, time.Since(start)+40*time.Millisecond
		}
	}()
	defer func() { close(stop); <-done }()

	g.waitRTMP("inband", callapi.RTMPStreamActive, 10*time.Second)
	tr := g.trailRTMP(t, "inband")
	mark := tr.len()
	select {
	case <-attack:
	case <-time.After(30 * time.Second):
		t.Fatal("attack never sent")
	}
	deadline := time.Now().Add(10 * time.Second)
	for metricValue(t, g, `sipcast_media_rejected_total{reason="h264_params"}`) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("no hostile access unit counted as rejected")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	requireStreamAlive(t, g, tr, mark, "inband", ngx.URL("live")+"/inband")
}
