package peers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSIPpBusy(t *testing.T) {
	t.Parallel()
	s := StartSIPpUAS(t, "uas_busy.xml")
	u := newUAC(t, s)
	u.invite(offer(40000, 40002))
	u.expectResponse(100, "INVITE", 5*time.Second)
	r := u.expectResponse(486, "INVITE", 5*time.Second)
	u.ack(r)
	if err := s.Wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if msgs := s.Messages(); !strings.Contains(msgs, "SIP/2.0 486 Busy Here") || !strings.Contains(msgs, "ACK sip:") {
		t.Errorf("message log lacks the 486 or the ACK:\n%s", msgs)
	}
}

func TestSIPpNoAnswer(t *testing.T) {
	t.Parallel()
	s := StartSIPpUAS(t, "uas_noanswer.xml")
	u := newUAC(t, s)
	u.invite(offer(40000, 40002))
	u.expectResponse(180, "INVITE", 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	u.cancel()
	u.expectResponse(200, "CANCEL", 5*time.Second)
	r := u.expectResponse(487, "INVITE", 5*time.Second)
	u.ack(r)
	if err := s.Wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestSIPpMedia answers a spec-like offer and checks the RTP the scenario
// sends: G.711 on the audio port, H.264 on the video port, then hangs up.
func TestSIPpMedia(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario   string
		audioPT    uint8
		videoPT    uint8
		aggregated bool // mode 1 (ffmpeg) sends FU-A (28) and STAP-A (24); mode 0 never
	}{
		{"uas_h264_pcmu.xml", 0, 112, true},
		{"uas_h264m0_pcma.xml", 8, 113, false},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			t.Parallel()
			s := StartSIPpUAS(t, c.scenario)
			base := FreeUDPPorts(t, 4)
			audio, video := newRTPSink(t, base), newRTPSink(t, base+2)

			u := newUAC(t, s)
			u.invite(offer(base, base+2))
			ok := u.expectResponse(200, "INVITE", 5*time.Second)
			if a, v := sdpPorts(ok.body); a != s.MediaPort || v != s.MediaPort+2 {
				t.Errorf("answer ports audio %d video %d, want %d %d:\n%s", a, v, s.MediaPort, s.MediaPort+2, ok.body)
			}
			u.ack(ok)
			start := time.Now()
			time.Sleep(2500 * time.Millisecond)
			// Count what arrived until now; SIPp may stream on until it
			// has handled the BYE.
			elapsed := time.Since(start).Seconds()
			apt, _, _, _, assrc, asrc := audio.snapshot()
			vpt, nalus, units, markers, vssrc, vsrc := video.snapshot()
			u.bye()
			u.expectResponse(200, "BYE", 5*time.Second)
			if err := s.Wait(5 * time.Second); err != nil {
				t.Fatal(err)
			}

			// 50 packets/s; a loaded machine may lag, never run ahead.
			if n := apt[c.audioPT]; float64(n) < 20*elapsed || float64(n) > 50*elapsed+10 || len(apt) != 1 || assrc != 1 {
				t.Errorf("audio: packets by PT %v, %d SSRCs in %.1fs; want ~50/s of PT %d, one SSRC", apt, assrc, elapsed, c.audioPT)
			}
			if len(vpt) != 1 || vpt[c.videoPT] == 0 || vssrc != 1 {
				t.Errorf("video: packets by PT %v, %d SSRCs; want PT %d only, one SSRC", vpt, vssrc, c.videoPT)
			}
			// 25 frames/s, one marker per frame.
			if float64(markers) < 10*elapsed || float64(markers) > 25*elapsed+5 {
				t.Errorf("video: %d marker bits in %.1fs, want ~25/s", markers, elapsed)
			}
			// Every IDR (one a second) comes with SPS and PPS.
			if units[5] == 0 || units[7] == 0 || units[8] == 0 {
				t.Errorf("video: no IDR, SPS or PPS; NAL unit types %v", units)
			}
			if agg := nalus[24] > 0 || nalus[28] > 0; agg != c.aggregated {
				t.Errorf("video: packet types %v (STAP-A/FU-A expected: %v)", nalus, c.aggregated)
			}
			t.Logf("audio from %v: %v; video from %v: %v, packet types %v, units %v", asrc, apt, vsrc, vpt, nalus, units)
		})
	}
}

// TestSIPpHangup checks that the callee's BYE goes to the caller's Contact
// within the dialog, and that SIPp expects the 200.
func TestSIPpHangup(t *testing.T) {
	t.Parallel()
	s := StartSIPpUAS(t, "uas_hangup.xml")
	base := FreeUDPPorts(t, 4)
	newRTPSink(t, base)
	newRTPSink(t, base+2)
	u := newUAC(t, s)
	u.invite(offer(base, base+2))
	ok := u.expectResponse(200, "INVITE", 5*time.Second)
	u.ack(ok)
	start := time.Now()
	bye := u.expectRequest("BYE", 10*time.Second)
	if d := time.Since(start); d < 5*time.Second {
		t.Errorf("BYE after %v, want ~6s", d)
	}
	if want := "sip:gw@127.0.0.1:"; !strings.HasPrefix(bye.ruri, want) {
		t.Errorf("BYE Request-URI %q, want the caller's Contact %s…", bye.ruri, want)
	}
	if toTag(bye.header("To")) != u.fromTag || toTag(bye.header("From")) != u.toTag || bye.header("Call-ID") != u.callID {
		t.Errorf("BYE outside the dialog (tags %s/%s, call %s):\n%s", u.fromTag, u.toTag, u.callID, bye.raw)
	}
	u.reply(bye, 200, "OK")
	if err := s.Wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestSIPpWaitReportsFailure: a scenario that never gets its call times
// out, and Wait says so with SIPp's exit code and logs.
func TestSIPpWaitReportsFailure(t *testing.T) {
	t.Parallel()
	s := StartSIPpUAS(t, "uas_busy.xml", WithSIPpTimeout(time.Second))
	err := s.Wait(10 * time.Second)
	if !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "exit code") {
		t.Fatalf("Wait = %v, want ErrExited with the exit code", err)
	}
	t.Logf("%.300s", err)

	s2 := StartSIPpUAS(t, "uas_busy.xml")
	if err := s2.Wait(200 * time.Millisecond); !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("Wait = %v, want ErrWaitTimeout", err)
	}
	if !s2.Exited() {
		t.Fatal("sipp still running after a timed-out Wait")
	}
}

// TestSIPpVideoDecodes receives the replayed h264.pcap with ffmpeg, as a
// gateway would, and checks that it decodes from the first packet on.
func TestSIPpVideoDecodes(t *testing.T) {
	t.Parallel()
	RequireTools(t, "ffmpeg")
	s := StartSIPpUAS(t, "uas_h264_pcmu.xml")
	base := FreeUDPPorts(t, 4)
	sdp := filepath.Join(t.TempDir(), "in.sdp")
	desc := fmt.Sprintf("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=video %d RTP/AVP 112\r\na=rtpmap:112 H264/90000\r\na=fmtp:112 packetization-mode=1\r\n", base+2)
	if err := os.WriteFile(sdp, []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	type result struct {
		frames int
		errs   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		f, e, err := DecodeCheck(ctx, sdp, 3)
		res <- result{f, e, err}
	}()
	// Media must not arrive before ffmpeg listens.
	for !boundOK(base + 2) {
		if ctx.Err() != nil {
			t.Fatal("ffmpeg never bound the video port")
		}
		time.Sleep(20 * time.Millisecond)
	}

	u := newUAC(t, s)
	u.invite(offer(base, base+2))
	ok := u.expectResponse(200, "INVITE", 5*time.Second)
	u.ack(ok)
	r := <-res
	u.bye()
	u.expectResponse(200, "BYE", 5*time.Second)
	if err := s.Wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.frames < 70 || strings.TrimSpace(r.errs) != "" {
		t.Errorf("decoded %d frames in 3 s (want 75), errors: %s", r.frames, r.errs)
	}
}

func boundOK(port int) bool {
	ok, _ := bound("udp", port)
	return ok
}

func TestSIPpTCP(t *testing.T) {
	t.Parallel()
	s := StartSIPpUAS(t, "uas_busy.xml", WithTransport("t1"))
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	s.Stop()
	if !s.Exited() {
		t.Fatal("sipp running after Stop")
	}
}
