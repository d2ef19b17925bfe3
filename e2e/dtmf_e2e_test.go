package e2e

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/dtmf"
)

// /call/send_dtmf against SIPp: INFO digits arrive in the dialog in order (SIPp logs each), RFC
// 2833 digits arrive as RFC 4733 events at the audio address of the answer (a UDP socket of the
// test in the device's place) with the answer's payload type, and the refusals have their codes.
func TestE2ESendDTMF(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	capture, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer capture.Close()
	sipp := peers.StartSIPpUAS(t, "testdata/sipp/uas_dtmf.xml",
		peers.WithSIPpArgs("-key", "dtmf_port", itoa(capture.LocalAddr().(*net.UDPAddr).Port)))
	ringing := peers.StartSIPpUAS(t, "uas_noanswer.xml")
	g := startGateway(t)
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "d1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "hasVideo": "false"})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitStatus("d1", callapi.StatusEstablished, 10*time.Second)

	if code, res := g.post("/call/send_dtmf", `{"callId":"d1","dtmf":"12*#","type":"INFO"}`); code != http.StatusOK {
		t.Fatalf("INFO: %d %s", code, res)
	}
	started := time.Now()
	if code, res := g.post("/call/send_dtmf", `{"callId":"d1","dtmf":"90ad","type":"RFC2833"}`); code != http.StatusOK {
		t.Fatalf("RFC2833: %d %s", code, res)
	}
	t.Logf("RFC2833 \"90AD\" answered after %v (4 digits × 160 ms)", time.Since(started))
	if got := readEvents(t, capture, 4); got != "90AD" {
		t.Fatalf("RFC 4733 digits %q, want 90AD", got)
	}

	for name, tc := range map[string]struct {
		body string
		code int
	}{
		"bad digit":       {`{"callId":"d1","dtmf":"12E","type":"INFO"}`, http.StatusBadRequest},
		"bad type":        {`{"callId":"d1","dtmf":"1","type":"SIP"}`, http.StatusBadRequest},
		"unknown call":    {`{"callId":"nope","dtmf":"1"}`, http.StatusNotFound},
		"not established": {`{"callId":"r1","dtmf":"1","type":"INFO"}`, http.StatusBadRequest},
	} {
		if name == "not established" {
			if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "r1", "callee": "bob",
				"sipDomain": "127.0.0.1", "sipPort": itoa(ringing.Port)})); code != http.StatusOK {
				t.Fatalf("startup r1: %d %s", code, res)
			}
			g.waitStatus("r1", callapi.StatusRing, 10*time.Second)
		}
		if code, res := g.post("/call/send_dtmf", tc.body); code != tc.code {
			t.Errorf("%s: %d %s, want %d", name, code, res, tc.code)
		}
	}
	for _, id := range []string{"d1", "r1"} {
		if code, _ := g.post("/call/terminate", `{"callId":"`+id+`"}`); code != http.StatusOK {
			t.Fatalf("terminate %s: %d", id, code)
		}
	}
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	logged, _ := os.ReadFile(filepath.Join(sipp.Dir, "logs.log"))
	var digits string
	for _, m := range regexp.MustCompile(`DTMF-INFO (\S) \(Signal=`).FindAllStringSubmatch(string(logged), -1) {
		digits += m[1]
	}
	if digits != "12*#" {
		t.Fatalf("SIPp logged INFO digits %q, want 12*#:\n%s", digits, logged)
	}
	if !strings.Contains(sipp.Messages(), "Content-Type: application/dtmf-relay") {
		t.Fatalf("no dtmf-relay INFO in SIPp's trace:\n%s", sipp.Messages())
	}
}

// readEvents reads RFC 4733 packets until n events ended, checks each as a receiver would (the
// answer's PT 100, one timestamp per event, marker on its first packet, durations growing, three
// end packets with the final duration) and returns the digits.
func readEvents(t *testing.T, conn *net.UDPConn, n int) string {
	t.Helper()
	var digits []byte
	var cur []pionrtp.Packet
	buf := make([]byte, 1500)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(digits) < n {
		k, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("after digits %q: %v", digits, err)
		}
		var p pionrtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:k]...)); err == nil && (p.PayloadType == 0 || p.PayloadType == 8) {
			continue // the G.711 silence that keeps the sendrecv line alive, between the events
		}
		if p.PayloadType != 100 {
			t.Fatalf("not a telephone-event packet: % x", buf[:k])
		}
		cur = append(cur, p)
		var ev dtmf.Payload
		if err := ev.Unmarshal(p.Payload); err != nil {
			t.Fatal(err)
		}
		if !ev.End || len(cur) < 2 {
			continue
		}
		var last dtmf.Payload
		_ = last.Unmarshal(cur[len(cur)-2].Payload)
		if !last.End {
			continue // the first of the three end packets
		}
		if len(cur) < 3 {
			continue
		}
		_ = last.Unmarshal(cur[len(cur)-3].Payload)
		if !last.End {
			continue
		}
		// Three end packets in a row: the event is complete.
		checkEvent(t, cur)
		d, _ := dtmf.DigitOf(ev.Event)
		digits = append(digits, d)
		cur = nil
	}
	return string(digits)
}

func checkEvent(t *testing.T, pkts []pionrtp.Packet) {
	t.Helper()
	var prev uint16
	for i, p := range pkts {
		var ev dtmf.Payload
		_ = ev.Unmarshal(p.Payload)
		end := i >= len(pkts)-dtmf.EndRepeats
		if p.Timestamp != pkts[0].Timestamp || p.Marker != (i == 0) || ev.End != end || ev.Duration < prev ||
			(end && ev.Duration != 800) || p.SequenceNumber != pkts[0].SequenceNumber+uint16(i) {
			t.Fatalf("packet %d of event %d: %+v %+v", i, ev.Event, p.Header, ev)
		}
		prev = ev.Duration
	}
}
