package device

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"

	"github.com/emiago/sipgo"
	"github.com/pion/sdp/v3"

	"github.com/sipcast/sipcast/internal/testutil"
)

// streamFor is how long the main test watches the media.
const streamFor = 2 * time.Second

func TestCallStreamsThenCallerHangsUp(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{User: "alice", RingFor: 100 * time.Millisecond})
	u := newUAC(t)
	audio, video := newSink(t), newSink(t)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, codes, err := u.invite(ctx, d.URI(), offer(audio.port(), video.port()))
	if err != nil {
		t.Fatalf("invite: %v (codes %v)", err, codes)
	}
	defer sess.Close()
	// The device sends 100, 180, 200; sipgo's client handles each response
	// on its own goroutine, so the two provisional ones may swap (or the
	// 100 be dropped). The 200 comes last, after the ring.
	if !slices.Contains(codes, 180) || codes[len(codes)-1] != 200 {
		t.Errorf("responses %v, want 180 then 200", codes)
	}

	var ans sdp.SessionDescription
	if err := ans.Unmarshal(sess.InviteResponse.Body()); err != nil {
		t.Fatalf("answer: %v\n%s", err, sess.InviteResponse.Body())
	}
	if len(ans.MediaDescriptions) != 2 {
		t.Fatalf("answer has %d m= lines", len(ans.MediaDescriptions))
	}
	am, vm := ans.MediaDescriptions[0], ans.MediaDescriptions[1]
	if am.MediaName.Formats[0] != "0" || vm.MediaName.Formats[0] != "97" {
		t.Errorf("answered formats %v %v, want 0 and 97", am.MediaName.Formats, vm.MediaName.Formats)
	}
	if fmtp, _ := vm.Attribute("fmtp"); !strings.HasPrefix(fmtp, "97 packetization-mode=1;profile-level-id=42c01e") {
		t.Errorf("video fmtp %q", fmtp)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 2*time.Second, "call running", func() bool { return d.Calls() == 1 })

	// The device's ports are open: what the gateway sends (RTCP here) is
	// read and dropped, not bounced with ICMP.
	for _, m := range []*sdp.MediaDescription{am, vm} {
		for _, port := range []int{m.MediaName.Port.Value, m.MediaName.Port.Value + 1} {
			c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
			if err != nil {
				t.Fatal(err)
			}
			_, _ = c.Write([]byte{0x81, 0xc9, 0, 1, 0, 0, 0, 1})
			c.Close()
		}
	}

	time.Sleep(streamFor)
	checkAudio(t, audio.received())
	checkVideo(t, video.received())
	if n := d.received.Load(); n != 4 {
		t.Errorf("device read %d datagrams, want the 4 sent", n)
	}

	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	testutil.WaitFor(t, 2*time.Second, "call to end", func() bool { return d.Calls() == 0 })
	n := len(video.received())
	time.Sleep(200 * time.Millisecond)
	if len(video.received()) != n {
		t.Error("media still flowing after BYE")
	}
	if e := d.sendErrors.Load(); e != 0 {
		t.Errorf("%d send errors", e)
	}
}

// checkAudio: PCMU in 20 ms packets of 160 samples, one SSRC, seq +1.
func checkAudio(t *testing.T, pkts []rtpRecv) {
	t.Helper()
	want := int(streamFor / audioPTime)
	if len(pkts) < want*8/10 || len(pkts) > want*12/10 {
		t.Errorf("%d audio packets in %v, want ~%d", len(pkts), streamFor, want)
	}
	for i, p := range pkts {
		if p.hdr.PayloadType != 0 || p.len != rtpHeaderLen+160 || p.hdr.SSRC != pkts[0].hdr.SSRC {
			t.Fatalf("audio packet %d: PT %d, %d bytes, SSRC %x", i, p.hdr.PayloadType, p.len, p.hdr.SSRC)
		}
		if i == 0 {
			continue
		}
		prev := pkts[i-1].hdr
		if p.hdr.SequenceNumber != prev.SequenceNumber+1 || p.hdr.Timestamp != prev.Timestamp+160 {
			t.Fatalf("audio packet %d: seq %d ts %d after %d %d", i, p.hdr.SequenceNumber, p.hdr.Timestamp, prev.SequenceNumber, prev.Timestamp)
		}
	}
}

// checkVideo: PT 97, one SSRC, seq +1, timestamps that never go back and
// advance by 25 fps frames, paced in real time.
func checkVideo(t *testing.T, pkts []rtpRecv) {
	t.Helper()
	if len(pkts) < 40 {
		t.Fatalf("%d video packets", len(pkts))
	}
	frames := 1
	for i, p := range pkts {
		if p.hdr.PayloadType != 97 || p.hdr.SSRC != pkts[0].hdr.SSRC {
			t.Fatalf("video packet %d: PT %d SSRC %x", i, p.hdr.PayloadType, p.hdr.SSRC)
		}
		if i == 0 {
			continue
		}
		prev := pkts[i-1].hdr
		if p.hdr.SequenceNumber != prev.SequenceNumber+1 {
			t.Fatalf("video packet %d: seq %d after %d", i, p.hdr.SequenceNumber, prev.SequenceNumber)
		}
		switch d := p.hdr.Timestamp - prev.Timestamp; {
		case d == 0:
		case d == videoClockRate/25:
			frames++
		default:
			t.Fatalf("video packet %d: timestamp step %d", i, int32(d))
		}
	}
	want := int(streamFor * 25 / time.Second)
	if frames < want*8/10 || frames > want*12/10 {
		t.Errorf("%d video frames in %v, want ~%d", frames, streamFor, want)
	}
	// Paced, not bursted: the frames span about the time they stand for.
	span := pkts[len(pkts)-1].at.Sub(pkts[0].at)
	media := time.Duration(pkts[len(pkts)-1].hdr.Timestamp-pkts[0].hdr.Timestamp) * time.Second / videoClockRate
	if d := span - media; d < -200*time.Millisecond || d > 200*time.Millisecond {
		t.Errorf("video took %v to deliver %v of media", span, media)
	}
}

func TestBusyDeviceAnswers486(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{AnswerCode: 486})
	u := newUAC(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, codes, err := u.invite(ctx, d.URI(), offer(4000, 4002))
	if sess != nil {
		defer sess.Close()
	}
	var resErr *sipgo.ErrDialogResponse
	if !errors.As(err, &resErr) || resErr.Res.StatusCode != 486 {
		t.Fatalf("invite: %v (codes %v), want 486", err, codes)
	}
	// sipgo handles each response on its own goroutine: a 100 sent just
	// before the 486 may be dropped by the finished transaction, so only
	// the absence of ringing is checked.
	if slices.Contains(codes, 180) {
		t.Errorf("busy device rang: %v", codes)
	}
	if d.Calls() != 0 {
		t.Error("busy device has a call")
	}
}

func TestDeviceHangsUpAfter(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{HangupAfter: 500 * time.Millisecond})
	u := newUAC(t)
	audio, video := newSink(t), newSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, codes, err := u.invite(ctx, d.URI(), offer(audio.port(), video.port()))
	if err != nil {
		t.Fatalf("invite: %v (codes %v)", err, codes)
	}
	defer sess.Close()
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-u.byes:
	case <-time.After(3 * time.Second):
		t.Fatal("no BYE from the device")
	}
	select {
	case <-sess.Context().Done():
	case <-time.After(time.Second):
		t.Error("caller's dialog not ended by the BYE")
	}
	testutil.WaitFor(t, 2*time.Second, "call to end", func() bool { return d.Calls() == 0 })
	if len(audio.received()) == 0 {
		t.Error("no audio before the hang-up")
	}
}

func TestCloseHangsUpCalls(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{})
	u := newUAC(t)
	audio, video := newSink(t), newSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, _, err := u.invite(ctx, d.URI(), offer(audio.port(), video.port()))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 2*time.Second, "call running", func() bool { return d.Calls() == 1 })
	start := time.Now()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > byeTimeout {
		t.Errorf("Close took %v", el)
	}
	// The UAC's handler may record the BYE just after it answered it, which is what let Close
	// return: allow it a moment.
	select {
	case <-u.byes:
	case <-time.After(time.Second):
		t.Error("Close sent no BYE")
	}
}

func TestRefusals(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{User: "alice"})
	u := newUAC(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cases := []struct {
		name   string
		target string
		body   []byte
		code   int
	}{
		{"other user", strings.Replace(d.URI(), "alice", "bob", 1), offer(4000, 4002), 404},
		{"no usable media", d.URI(), []byte("v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n"), 488},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sess, codes, err := u.invite(ctx, c.target, c.body)
			if sess != nil {
				defer sess.Close()
			}
			var resErr *sipgo.ErrDialogResponse
			if !errors.As(err, &resErr) || resErr.Res.StatusCode != c.code {
				t.Errorf("invite: %v (codes %v), want %d", err, codes, c.code)
			}
		})
	}
}

func TestCallerCancelsWhileRinging(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{RingFor: 10 * time.Second})
	u := newUAC(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var uri = d.URI()
	ringCtx, stopRinging := context.WithCancel(ctx)
	type result struct {
		codes []int
		err   error
	}
	res := make(chan result, 1)
	go func() {
		sess, codes, err := u.invite(ringCtx, uri, offer(4000, 4002))
		if sess != nil {
			defer sess.Close()
		}
		res <- result{codes, err}
	}()
	time.Sleep(300 * time.Millisecond) // ringing by now
	stopRinging()
	select {
	case r := <-res:
		if r.err == nil {
			t.Errorf("call answered: %v", r.codes)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("CANCEL did not end the call attempt")
	}
	if d.Calls() != 0 {
		t.Error("cancelled call counted")
	}
}

func TestStartErrors(t *testing.T) {
	d := startDevice(t, Config{})
	if err := d.Start(context.Background()); !errors.Is(err, ErrAlreadyStarted) {
		t.Errorf("second Start: %v", err)
	}
	busy, err := New(Config{Addr: d.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if err := busy.Start(context.Background()); err == nil {
		t.Error("Start on a busy port succeeded")
	}
	_ = busy.Close()
	if err := busy.Start(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}
