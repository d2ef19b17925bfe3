package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/api"
	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/media/dtmftone"
	"github.com/sipcast/sipcast/media/g711"
	"github.com/sipcast/sipcast/media/transcode"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The original's demo flow against a device whose answer has no telephone-event (SIPp answering
// PCMU + H.264): startup with toStream, a push of it to nginx-rtmp, mute, send_dtmf 9 RFC2833,
// terminate. The digit goes as in-band tones (the answer says INBAND, the log says why); what
// reaches the device's RTP port (tcpdump) decodes from G.711 to the right digits (Goertzel), also
// for INBAND asked by name.
func TestE2EInbandDTMFDemoFlow(t *testing.T) {
	requirePeers(t)
	peers.RequireTools(t, "tcpdump")
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	capture := peers.StartCapture(t, sipp.MediaPort)
	g := startGateway(t)
	g.placeCall("demo1", sipp, map[string]any{"hasAudio": "true", "hasVideo": "true", "toStream": "demo1"})
	g.waitStatus("demo1", callapi.StatusEstablished, 10*time.Second)

	code, res := g.post("/push/startup", `{"streamName":"demo1","rtmpUrl":"`+ngx.URL("live")+`"}`)
	var p callapi.Push
	if code != http.StatusOK || json.Unmarshal(res, &p) != nil {
		t.Fatalf("push: %d %s", code, res)
	}
	g.waitFor("demo1", 10*time.Second, "push active", func(callapi.Call) bool {
		code, res := g.post("/push/find", `{"streamName":"`+p.PublishedName+`"}`)
		return code == http.StatusOK && strings.Contains(string(res), callapi.RTMPStreamActive)
	})
	if code, res := g.post("/push/mute", `{"mediaSessionId":"`+p.MediaSessionID+`"}`); code != http.StatusOK {
		t.Fatalf("mute: %d %s", code, res)
	}
	sendDTMF(t, g, `{"callId":"demo1","dtmf":"9","type":"RFC2833"}`, "INBAND")
	sendDTMF(t, g, `{"callId":"demo1","dtmf":"0*#D","type":"INBAND"}`, "INBAND")
	time.Sleep(300 * time.Millisecond) // the last tone's gap
	if code, res := g.post("/call/terminate", `{"callId":"demo1"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d %s", code, res)
	}
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := heardDigits(t, capture, 0, "PCMU", 8000); got != "90*#D" {
		t.Fatalf("the device heard %q, want 90*#D", got)
	}
	if !strings.Contains(g.logs(), "did not accept telephone-event") {
		t.Error("the log does not say why the digits went in-band")
	}
}

// A device answering Opus only, without telephone-event: the tones go in Opus (libopus on both
// sides) and decode to the digits.
func TestE2EInbandDTMFOpus(t *testing.T) {
	peers.RequireTools(t, "sipp", "tcpdump")
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_opus.xml")
	capture := peers.StartCapture(t, sipp.MediaPort)
	g := startGateway(t)
	g.placeCall("op1", sipp, map[string]any{"hasAudio": "true", "hasVideo": "false"})
	g.waitStatus("op1", callapi.StatusEstablished, 10*time.Second)
	sendDTMF(t, g, `{"callId":"op1","dtmf":"123A","type":"RFC2833"}`, "INBAND")
	time.Sleep(300 * time.Millisecond)
	g.terminate("op1")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := heardDigits(t, capture, 111, "OPUS", 48000); got != "123A" {
		t.Fatalf("the device heard %q, want 123A", got)
	}
}

// A call whose audio sipcast does not send on (hasAudio false: recvonly) and whose device does
// not allow INFO: RFC2833 and INBAND are refused with a 400 that says exactly why.
func TestE2EInbandDTMFNoWay(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	g.placeCall("mute1", sipp, map[string]any{"hasAudio": "false", "hasVideo": "false"})
	g.waitStatus("mute1", callapi.StatusEstablished, 10*time.Second)
	for body, want := range map[string]string{
		`{"callId":"mute1","dtmf":"5"}`: "call: DTMF cannot reach the device: the callee's answer did not accept telephone-event, " +
			"sipcast sends no audio on this call (hasAudio false: its audio line is recvonly), and the device does not allow INFO",
		`{"callId":"mute1","dtmf":"5","type":"INBAND"}`: "call: DTMF cannot reach the device: no in-band tones: " +
			"sipcast sends no audio on this call (hasAudio false: its audio line is recvonly)",
	} {
		code, res := g.post("/call/send_dtmf", body)
		var e api.ErrorBody
		if code != http.StatusBadRequest || json.Unmarshal(res, &e) != nil || e.Message != want {
			t.Errorf("%s: %d %s\nwant 400 %q", body, code, res, want)
		}
	}
	g.terminate("mute1")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func sendDTMF(t *testing.T, g *gateway, body, wantType string) {
	t.Helper()
	code, res := g.post("/call/send_dtmf", body)
	var a api.SendDTMFAnswer
	if code != http.StatusOK || json.Unmarshal(res, &a) != nil || a.Type != wantType {
		t.Fatalf("send_dtmf %s: %d %s, want 200 with type %s", body, code, res, wantType)
	}
}

// heardDigits decodes the audio RTP of payload type pt that the capture holds (in sequence
// order) and returns the DTMF digits a Goertzel detector finds in it.
func heardDigits(t *testing.T, c *peers.Capture, pt uint8, codec string, rate int) string {
	t.Helper()
	pkts, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	var rtps []pionrtp.Packet
	for _, p := range pkts {
		var r pionrtp.Packet
		if r.Unmarshal(p.Payload) == nil && r.Version == 2 && r.PayloadType == pt {
			rtps = append(rtps, r)
		}
	}
	if len(rtps) < 20 {
		t.Fatalf("captured %d RTP packets of type %d", len(rtps), pt)
	}
	slices.SortStableFunc(rtps, func(a, b pionrtp.Packet) int { return int(int16(a.SequenceNumber - b.SequenceNumber)) })
	var dec *transcode.AudioDecoder
	if codec == "OPUS" {
		if dec, err = transcode.NewAudioDecoder(transcode.AudioConfig{Codec: transcode.Opus, ClockRate: rate}); err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
	}
	var pcm []int16
	for _, r := range rtps {
		switch codec {
		case "PCMU":
			pcm = g711.DecodeUlaw(pcm, r.Payload)
		case "OPUS":
			s, err := dec.Decode(r.Payload)
			if err != nil {
				t.Fatalf("opus: %v", err)
			}
			pcm = append(pcm, s...)
		}
	}
	return dtmftone.Detect(pcm, rate)
}
