package e2e

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// gapRecord is how much of the RTMP stream the gap tests record: 4 s of media, the 10 s gap,
// then the media again.
const gapRecord = 17

// A device holds the call with nothing sent on either line for 10 s (re-INVITE a=inactive, its
// audio paused), then resumes: the RTMP stream read by ffmpeg goes on all along — the last
// picture once a second, silent AAC — on a timeline that keeps pace with the wall clock and never
// goes back, and decodes from end to end; the call object says which tracks are filled, and the
// filled time is counted.
func TestE2EGapFillHold(t *testing.T) {
	testGapFill(t, "uas_gap_hold.xml", "audio,video")
}

// A device's camera stops for 10 s while its audio goes on: the video track goes on with the
// last picture, the real audio untouched, and the camera's return takes over on its keyframe.
func TestE2EGapFillVideoOnly(t *testing.T) {
	testGapFill(t, "uas_gap_video.xml", "video")
}

func testGapFill(t *testing.T, scenario, filled string) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, scenario, peers.WithMedia("video4s.pcap", trimPCAP(t, clip.H264PCAP(), 4*time.Second)))
	g := startGateway(t)
	g.placeCall("gap1", sipp, map[string]any{"hasVideo": "true", "rtmpUrl": ngx.URL("live"), "rtmpStream": "gap",
		"toStream": "gap1"})
	g.waitFor("gap1", 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	// A push of the call: every publisher fed from the call fills alike.
	code, res := g.post("/push/startup", `{"streamName":"gap1","rtmpUrl":"`+ngx.URL("live")+`"}`)
	var push callapi.Push
	if code != http.StatusOK || json.Unmarshal(res, &push) != nil {
		t.Fatalf("push: %d %s", code, res)
	}
	g.waitFor("gap1", 10*time.Second, "push active", func(callapi.Call) bool {
		code, res := g.post("/push/find", `{"streamName":"`+push.PublishedName+`"}`)
		return code == http.StatusOK && strings.Contains(string(res), callapi.RTMPStreamActive)
	})

	dir := t.TempDir()
	streams := map[string]string{"call": ngx.URL("live") + "/gap", "push": ngx.URL("live") + "/" + push.PublishedName}
	recorded := make(chan error, len(streams))
	started := time.Now()
	for name, url := range streams {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-rw_timeout", "5000000",
				"-i", url, "-c", "copy", "-t", strconv.Itoa(gapRecord), "-f", "flv", filepath.Join(dir, name+".flv")).CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%s: %w: %s", name, err, out)
			}
			recorded <- err
		}()
	}
	var shown []string // the call object's rtmpGapFill, consecutive repeats folded
	var cpu cpuMeter
	for pending := len(streams); pending > 0; {
		select {
		case err := <-recorded:
			if err != nil {
				t.Fatalf("recording: %v", err)
			}
			pending--
		case <-time.After(200 * time.Millisecond):
			_, calls := g.find("gap1")
			if len(calls) != 1 || str(calls[0].RTMPStreamStatus) != callapi.RTMPStreamActive {
				t.Fatalf("during the gap: %s", dump(calls))
			}
			s := "null"
			if calls[0].RTMPGapFill != nil {
				s = *calls[0].RTMPGapFill
			}
			if len(shown) == 0 || shown[len(shown)-1] != s {
				shown = append(shown, s)
				cpu.mark(t, g.cmd.Process.Pid, s != "null")
			}
		}
	}
	// A compressed timeline (the gap left out) would take 10 s more wall time to record.
	if wall := time.Since(started); wall > (gapRecord+5)*time.Second {
		t.Errorf("recording %d s of stream took %v: the timeline did not keep pace with the gap", gapRecord, wall)
	}
	// The two tracks start and end their gaps a tick apart, so "audio" or "video" alone may show
	// on the way; a track that never stopped never shows; the real media takes over after the
	// gap (the device's 4 s of video may end again before the recording does).
	gap := slices.Index(shown, filled)
	if got := strings.Join(shown, " "); shown[0] != "null" || gap < 0 || !slices.Contains(shown[gap:], "null") ||
		(!strings.Contains(filled, "audio") && strings.Contains(got, "audio")) {
		t.Errorf("rtmpGapFill along the call: %s, want null → %s → null", got, filled)
	}
	t.Logf("sipcast's CPU (a call, its RTMP stream and a push): %s", cpu)
	for name := range streams {
		t.Run(name, func(t *testing.T) { checkGapRecording(t, filepath.Join(dir, name+".flv")) })
	}
	if v, _ := strconv.ParseFloat(g.metrics(t)["sipcast_rtmp_filled_seconds_total"], 64); v < 16 {
		t.Errorf("sipcast_rtmp_filled_seconds_total = %v, want ≥ 16 (two publishers, 8 s each at least)", v)
	}
	g.terminate("gap1")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// checkGapRecording wants a recording across the gap to carry pictures about one a second in
// it and the real video after it, rising timestamps without holes, and to decode through.
func checkGapRecording(t *testing.T, flv string) {
	video := packetTimes(t, flv, "v:0")
	fill := longestFill(video)
	t.Logf("video: %d packets; fill pictures %.3f s to %.3f s (%d)", len(video), fill.from, fill.to, fill.n)
	if fill.to-fill.from < 8 || fill.n < 9 {
		t.Errorf("the gap's pictures span %.3f s to %.3f s (%d): want about 10 s, one a second", fill.from, fill.to, fill.n)
	}
	if after := countAfter(video, fill.to+0.5); after < 40 {
		t.Errorf("%d pictures after the gap: the real video did not take over", after)
	}
	checkTimeline(t, flv, "v:0", 1.2) // one picture a second at least, rising
	checkTimeline(t, flv, "a:0", 0.2) // 1024 samples at 8 kHz are 128 ms: a hole leaves more
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), flv, gapRecord)
	if err != nil || frames < 150 || decoderComplained(stderr) {
		t.Fatalf("video decode across the gap: %d frames, %v\n%s", frames, err, stderr)
	}
	if secs, stderr := decodeAudio(t, flv, gapRecord); secs < gapRecord-1.5 || decoderComplained(stderr) {
		t.Fatalf("audio decode across the gap: %.2f s\n%s", secs, stderr)
	}
}

// cpuMeter splits a process's CPU time between the stretches with real media and those filled.
type cpuMeter struct {
	lastAt              time.Time
	lastCPU             time.Duration
	filling             bool
	media, fill         time.Duration // CPU
	mediaWall, fillWall time.Duration
}

// mark closes the stretch so far and starts one of the given kind.
func (m *cpuMeter) mark(t *testing.T, pid int, filling bool) {
	now, cpu := time.Now(), processCPU(t, pid)
	if !m.lastAt.IsZero() {
		if m.filling {
			m.fill, m.fillWall = m.fill+cpu-m.lastCPU, m.fillWall+now.Sub(m.lastAt)
		} else {
			m.media, m.mediaWall = m.media+cpu-m.lastCPU, m.mediaWall+now.Sub(m.lastAt)
		}
	}
	m.lastAt, m.lastCPU, m.filling = now, cpu, filling
}

func (m cpuMeter) String() string {
	share := func(cpu, wall time.Duration) float64 { return 100 * cpu.Seconds() / max(wall.Seconds(), 1e-9) }
	return fmt.Sprintf("%.1f %% of a core with real media (%.1f s), %.1f %% while filling (%.1f s)",
		share(m.media, m.mediaWall), m.mediaWall.Seconds(), share(m.fill, m.fillWall), m.fillWall.Seconds())
}

// processCPU is the user and system CPU time a process used so far (/proc/PID/stat).
func processCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which may hold spaces) start at state, field 3.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// A device answers video but turns its camera on only 6 s into the call: the RTMP stream
// shows a black slate 2 s into it (so its audio plays: FLV audio waits for video), then the
// camera's picture with its own sequence header; both tracks decode from end to end.
func TestE2EGapFillSlate(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_gap_novideo.xml", peers.WithMedia("video4s.pcap", trimPCAP(t, clip.H264PCAP(), 4*time.Second)))
	g := startGateway(t)
	g.placeCall("slate1", sipp, map[string]any{"hasVideo": "true", "rtmpUrl": ngx.URL("live"), "rtmpStream": "slate"})
	g.waitFor("slate1", 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	flv := filepath.Join(t.TempDir(), "slate.flv")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	const record = 9
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-rw_timeout", "5000000",
		"-i", ngx.URL("live")+"/slate", "-c", "copy", "-t", strconv.Itoa(record), "-f", "flv", flv).CombinedOutput(); err != nil {
		t.Fatalf("recording: %v: %s", err, out)
	}
	video := packetTimes(t, flv, "v:0")
	fill := longestFill(video)
	t.Logf("video: %d packets; slate pictures %.3f s to %.3f s (%d)", len(video), fill.from, fill.to, fill.n)
	if len(video) == 0 || video[0] > 3 || fill.n < 2 {
		t.Fatalf("no slate at the start: %d pictures a second apart from %.3f s", fill.n, fill.from)
	}
	if after := countAfter(video, fill.to+0.5); after < 40 {
		t.Errorf("%d pictures after the slate: the camera's video did not take over", after)
	}
	// The slate keeps the audio's time, the camera's picture its own, which runs up to a few
	// hundred ms ahead (the AAC's delay): the step into it may exceed the slate's second.
	checkTimeline(t, flv, "v:0", 1.5)
	checkTimeline(t, flv, "a:0", 0.2)
	checkSequenceHeaders(t, flv) // 176x144 black, then the camera's 640x360
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), flv, record)
	if err != nil || frames < 50 || decoderComplained(stderr) {
		t.Fatalf("video decode across the slate: %d frames, %v\n%s", frames, err, stderr)
	}
	if secs, stderr := decodeAudio(t, flv, record); secs < record-2 || decoderComplained(stderr) {
		t.Fatalf("audio decode: %.2f s\n%s", secs, stderr)
	}
	g.terminate("slate1")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// packetTimes returns the pts of a stream's packets in a recording, in seconds.
func packetTimes(t *testing.T, flv, stream string) []float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time",
		"-of", "csv=p=0", flv).Output()
	if err != nil {
		t.Fatalf("ffprobe packets: %v", err)
	}
	var times []float64
	for line := range strings.FieldsSeq(string(out)) {
		if v, err := strconv.ParseFloat(strings.TrimSuffix(line, ","), 64); err == nil {
			times = append(times, v)
		}
	}
	return times
}

type fillRun struct {
	from, to float64
	n        int
}

// longestFill finds the longest run of pictures about a second apart: the gap's repeated
// keyframe (the real video comes 40 ms apart).
func longestFill(times []float64) fillRun {
	var best, cur fillRun
	for i := 1; i < len(times); i++ {
		if step := times[i] - times[i-1]; math.Abs(step-1) < 0.15 {
			if cur.n == 0 {
				cur = fillRun{from: times[i-1], n: 1}
			}
			cur.to, cur.n = times[i], cur.n+1
			if cur.n > best.n {
				best = cur
			}
			continue
		}
		cur = fillRun{}
	}
	return best
}

func countAfter(times []float64, from float64) int {
	n := 0
	for _, v := range times {
		if v > from {
			n++
		}
	}
	return n
}

// trimPCAP writes the first keep of a capture (classic little-endian libpcap, as the clip's
// is) to a temporary file and returns its path.
func trimPCAP(t *testing.T, b []byte, keep time.Duration) string {
	t.Helper()
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		t.Fatal("not a little-endian microsecond pcap")
	}
	out := append([]byte(nil), b[:24]...)
	var first time.Duration
	for off := 24; off+16 <= len(b); {
		ts := time.Duration(binary.LittleEndian.Uint32(b[off:]))*time.Second +
			time.Duration(binary.LittleEndian.Uint32(b[off+4:]))*time.Microsecond
		end := off + 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
		if end > len(b) {
			break
		}
		if off == 24 {
			first = ts
		}
		if ts-first > keep {
			break
		}
		out = append(out, b[off:end]...)
		off = end
	}
	path := filepath.Join(t.TempDir(), "trimmed.pcap")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
