package e2e

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// A codec change by re-INVITE is followed (issue 6 part 1), against SIPp and nginx-rtmp: the
// device answers PCMU (a 440 Hz tone) + H.264, and 5 s later re-INVITEs to Opus (a 660 Hz tone)
// and keeps sending (SIPp the signalling and the audio, ffmpeg the camera). The RTMP stream, recorded across the switch, must be one H.264 + AAC stream
// whose frames decode without a complaint, whose audio never goes back or stops for longer than
// a packet, and which carries first the PCMU tone and then the Opus one; the call stays
// ESTABLISHED and RTMP_STREAM_ACTIVE throughout.

// switchRecord is how much of the stream is recorded: the switch comes ~5 s in.
const switchRecord = 11

func TestE2ECodecSwitch(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_codec_switch.xml")
	g := startGateway(t)
	code, res := g.post("/call/startup", startupBody(map[string]any{
		"callId": "sw1", "callee": "bob", "sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port),
		"rtmpUrl": ngx.URL("live"), "rtmpStream": "switch", "toStream": "sw1",
	}))
	if code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitFor("sw1", 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})

	// SIPp replays one pcap at a time: the camera is ffmpeg, to the offer's video port, sending
	// H.264 until the gateway's 200 takes VP8, then VP8.
	_, videoPort := offerPorts(t, sipp.Messages())
	cameraDone := startCamera(t, videoPort, func() bool { return strings.Contains(sipp.Messages(), "RTP/AVP 100") })
	flv := filepath.Join(t.TempDir(), "switch.flv")
	recorded := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-rw_timeout", "5000000",
			"-i", ngx.URL("live")+"/switch", "-c", "copy", "-t", strconv.Itoa(switchRecord), "-f", "flv", flv).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, out)
		}
		recorded <- err
	}()
	// The call's state, all along the recording.
	for done := false; !done; {
		select {
		case err := <-recorded:
			if err != nil {
				t.Fatalf("recording: %v", err)
			}
			done = true
		case <-time.After(200 * time.Millisecond):
			_, calls := g.find("sw1")
			if len(calls) != 1 || calls[0].Status != callapi.StatusEstablished || str(calls[0].RTMPStreamStatus) != callapi.RTMPStreamActive {
				t.Fatalf("during the switch: %s", dump(calls))
			}
		}
	}
	if m := sipp.Messages(); !strings.Contains(m, "RTP/AVP 111") || !strings.Contains(m, "RTP/AVP 100") {
		t.Fatalf("the gateway's answer to the re-INVITE did not take Opus and VP8:\n%s", m)
	}
	if !<-cameraDone {
		t.Fatal("the camera never moved to VP8")
	}

	checkStreams(t, flv, 640, 360, 8000) // the AAC track keeps the rate PCMU gave it
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), flv, switchRecord)
	if err != nil || frames < 200 || decoderComplained(stderr) {
		t.Fatalf("video decode across the switch: %d frames, %v\n%s", frames, err, stderr)
	}
	if secs, stderr := decodeAudio(t, flv, switchRecord); secs < switchRecord-1.5 || decoderComplained(stderr) {
		t.Fatalf("audio decode across the switch: %.2f s\n%s", secs, stderr)
	}
	// 1024 samples at 8 kHz are 128 ms; at the switch the device itself falls silent from the
	// answer until its ACK is sent and its Opus file starts, and the first Opus packets then
	// wait for the transcoder: 0.26-0.27 s on a quiet box, 0.30 s once under CI's load (the same
	// before and after the RTP poller). A lost stretch would be longer than 0.4 s.
	checkTimeline(t, flv, "a:0", 0.4)
	checkTimeline(t, flv, "v:0", 2) // the camera's own restart leaves a hole of about a second
	checkSequenceHeaders(t, flv)
	checkToneSwitch(t, flv)
}

// checkTimeline wants the timestamps of a stream's packets to rise, never by more than widest
// seconds: the switch neither repeats nor loses a stretch of the timeline.
func checkTimeline(t *testing.T, flv, stream string, widest float64) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time",
		"-of", "csv=p=0", flv).Output()
	if err != nil {
		t.Fatalf("ffprobe packets: %v", err)
	}
	prev, n, worst := math.Inf(-1), 0, 0.0
	for line := range strings.FieldsSeq(string(out)) {
		pts, err := strconv.ParseFloat(strings.TrimSuffix(line, ","), 64)
		if err != nil {
			continue
		}
		if n > 0 {
			if pts <= prev {
				t.Fatalf("%s packet %d at %.3f s after %.3f s", stream, n, pts, prev)
			}
			worst = max(worst, pts-prev)
		}
		prev, n = pts, n+1
	}
	if n < 50 || worst > widest {
		t.Fatalf("%s: %d packets, widest step %.3f s", stream, n, worst)
	}
	t.Logf("%s: %d packets, widest step %.3f s", stream, n, worst)
}

// checkSequenceHeaders wants a second AVC sequence header in the recording: the x264 of the VP8
// transcoder has other parameter sets than the camera's H.264, and the player must be told.
func checkSequenceHeaders(t *testing.T, flv string) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"packet=pts_time:packet_side_data=side_data_type", "-of", "compact", flv).Output()
	if err != nil {
		t.Fatalf("ffprobe side data: %v", err)
	}
	if n := strings.Count(string(out), "New Extradata"); n < 1 {
		t.Fatalf("no new sequence header after the switch to VP8 (%d)", n)
	}
}

// startCamera sends H.264 to port until moved reports true, then VP8, both 640x360 at 25 fps
// from ffmpeg's test source. The channel says whether it moved, once it did or gave up.
func startCamera(t *testing.T, port int, moved func() bool) <-chan bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	target := fmt.Sprintf("rtp://127.0.0.1:%d?pkt_size=1200", port)
	src := []string{"-hide_banner", "-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
		"-t", "30", "-pix_fmt", "yuv420p", "-threads", "1"}
	h264 := exec.CommandContext(ctx, "ffmpeg", append(src, "-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast",
		"-tune", "zerolatency", "-g", "25", "-f", "rtp", "-payload_type", "112", target)...)
	vp8 := exec.CommandContext(ctx, "ffmpeg", append(src, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
		"-b:v", "600k", "-g", "50", "-auto-alt-ref", "0", "-lag-in-frames", "0", "-f", "rtp", "-payload_type", "100", target)...)
	if err := h264.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done, exited := make(chan bool, 1), make(chan struct{})
	go func() {
		defer close(exited)
		switched := false
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(50 * time.Millisecond) {
			if switched = moved(); switched {
				break
			}
		}
		_ = h264.Process.Kill()
		_ = h264.Wait()
		switched = switched && vp8.Start() == nil
		done <- switched
		if switched {
			_ = vp8.Wait()
		}
	}()
	t.Cleanup(func() { cancel(); <-exited })
	return done
}

// checkToneSwitch decodes the recorded audio and finds the PCMU tone (440 Hz) in its first
// seconds and the Opus tone (660 Hz) in its last: the media after the re-INVITE is the Opus.
func checkToneSwitch(t *testing.T, flv string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", flv, "-map", "0:a:0",
		"-f", "s16le", "-ac", "1", "-ar", "8000", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg pcm: %v", err)
	}
	pcm := make([]int16, len(out)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(out[2*i:]))
	}
	if len(pcm) < 8*8000 {
		t.Fatalf("%d samples", len(pcm))
	}
	first, last := zeroCrossingHz(pcm[8000:24000], 8000), zeroCrossingHz(pcm[len(pcm)-20000:len(pcm)-4000], 8000)
	t.Logf("tone before the switch %.0f Hz, after %.0f Hz", first, last)
	if math.Abs(first-440) > 30 || math.Abs(last-660) > 30 {
		t.Fatalf("tones %.0f Hz then %.0f Hz, want 440 then 660", first, last)
	}
}

// zeroCrossingHz estimates a pure tone's frequency from its sign changes.
func zeroCrossingHz(pcm []int16, rate int) float64 {
	crossings := 0
	for i := 1; i < len(pcm); i++ {
		if (pcm[i-1] < 0) != (pcm[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(pcm)) / float64(rate))
}
