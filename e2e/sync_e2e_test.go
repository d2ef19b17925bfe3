package e2e

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Lip sync and a bad network, end to end. The device is SIPp (it answers: PCMU + H.264) with
// ffmpeg sending the media as its camera and microphone would: RTP with RTCP sender reports,
// random timestamp bases and SSRCs, to the ports of sipcast's offer, through UDP proxies that
// delay, reorder and drop. The RTMP output is recorded from nginx-rtmp and measured with ffmpeg.

// syncEvents are when the source shows a white frame and starts a 1 kHz tone together.
var syncEvents = []time.Duration{5 * time.Second, 8 * time.Second}

const syncSourceLength = 11 * time.Second

// makeSyncSource writes the source: black 320x240 at 25 fps with one white frame at each event,
// silence with a 400 ms tone from each event; H.264 baseline (IDR every second) and µ-law.
func makeSyncSource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sync.mkv")
	var frames, tones []string
	for _, e := range syncEvents {
		frames = append(frames, fmt.Sprintf("eq(n\\,%d)", int(e/(40*time.Millisecond))))
		tones = append(tones, fmt.Sprintf("between(t\\,%.3f\\,%.3f)", e.Seconds(), e.Seconds()+0.4))
	}
	video := fmt.Sprintf("color=c=black:s=320x240:r=25:d=%d,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='%s'",
		int(syncSourceLength.Seconds()), strings.Join(frames, "+"))
	audio := fmt.Sprintf("aevalsrc='0.5*sin(2*PI*1000*t)*(%s)':s=8000:d=%d", strings.Join(tones, "+"), int(syncSourceLength.Seconds()))
	ffmpeg(t, "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio,
		"-c:v", "libx264", "-profile:v", "baseline", "-bf", "0", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
		"-pix_fmt", "yuv420p", "-x264-params", "repeat-headers=1", "-c:a", "pcm_mulaw", path)
	return path
}

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append([]string{"-hide_banner", "-v", "error", "-nostdin", "-y"}, args...)
	if out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// sourceCall places a call to a SIPp device that answers and sends nothing, then has ffmpeg
// send src in real time through proxies with the given impairments. It returns the RTMP URL of
// the call's stream once it is active, and a channel closed when ffmpeg is done.
func sourceCall(t *testing.T, g *gateway, ngx *peers.Nginx, id, src string, audioImp, videoImp impairment) (string, <-chan struct{}) {
	t.Helper()
	sipp := peers.StartSIPpUAS(t, "uas_answer_only.xml")
	code, res := g.post("/call/startup", startupBody(map[string]any{
		"callId": id, "callee": "alice", "sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port),
		"rtmpUrl": ngx.URL("live"), "rtmpStream": id, "toStream": id,
	}))
	if code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitFor(id, 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	audioPort, videoPort := offerPorts(t, sipp.Messages())
	ap := startUDPProxy(t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: audioPort}, audioImp)
	vp := startUDPProxy(t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: videoPort}, videoImp)
	t.Cleanup(func() { t.Logf("proxies: audio %+v, video %+v", ap.Stats(), vp.Stats()) })
	ctx, cancel := context.WithTimeout(context.Background(), syncSourceLength+30*time.Second)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-re", "-i", src,
		"-map", "0:v", "-c", "copy", "-f", "rtp", "-payload_type", "112", fmt.Sprintf("rtp://127.0.0.1:%d?pkt_size=1200", vp.Port),
		// 160 bytes of µ-law a packet: 20 ms, as telephones send it.
		"-map", "0:a", "-c", "copy", "-f", "rtp", fmt.Sprintf("rtp://127.0.0.1:%d?pkt_size=172", ap.Port))
	done := make(chan struct{})
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); cancel(); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("ffmpeg source still running 10 s after it was killed")
		}
	})
	return ngx.URL("live") + "/" + id, done
}

var offerLine = regexp.MustCompile(`m=(audio|video) (\d+) RTP/AVP`)

// offerPorts reads the RTP ports of sipcast's offer from the INVITE SIPp received.
func offerPorts(t testing.TB, messages string) (audio, video int) {
	t.Helper()
	for _, m := range offerLine.FindAllStringSubmatch(messages, -1) {
		p, _ := strconv.Atoi(m[2])
		switch {
		case m[1] == "audio" && audio == 0:
			audio = p
		case m[1] == "video" && video == 0:
			video = p
		}
	}
	if audio == 0 || video == 0 {
		t.Fatalf("no offer in SIPp's messages:\n%s", messages)
	}
	return audio, video
}

// record copies the RTMP stream to a file until it has been idle for 3 s (the source ended).
func record(t *testing.T, url string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.flv")
	ctx, cancel := context.WithTimeout(context.Background(), syncSourceLength+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-y",
		"-rw_timeout", "3000000", "-i", url, "-c", "copy", path).CombinedOutput()
	if _, statErr := os.Stat(path); statErr != nil {
		t.Fatalf("recording %s: %v %v\n%s", url, err, statErr, out)
	}
	return path
}

// metadataPrint runs an ffmpeg filter that prints one metadata key per frame (metadata /
// ametadata print) and returns (pts_time, value) pairs.
func metadataPrint(t *testing.T, file, stream, filter, key string) [][2]float64 {
	t.Helper()
	out := filepath.Join(t.TempDir(), "meta.txt")
	print := "metadata"
	if stream == "a" {
		print = "ametadata"
	}
	ffmpeg(t, "-i", file, "-map", "0:"+stream+":0", "-"+stream[:1]+"f",
		fmt.Sprintf("%s,%s=print:key=%s:file=%s", filter, print, key, out), "-f", "null", "-")
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var res [][2]float64
	var pts float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "pts_time:"); i >= 0 {
			pts, _ = strconv.ParseFloat(strings.Fields(line[i+len("pts_time:"):])[0], 64)
			continue
		}
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				x = math.Inf(-1) // "-inf" for digital silence
			}
			res = append(res, [2]float64{pts, x})
		}
	}
	return res
}

// whiteFrames are the times of the frames brighter than mid-grey.
func whiteFrames(t *testing.T, file string) []float64 {
	var at []float64
	for _, s := range metadataPrint(t, file, "v", "signalstats", "lavfi.signalstats.YAVG") {
		if s[1] > 128 {
			at = append(at, s[0])
		}
	}
	return at
}

// toneOnsets are the times where 10 ms windows of the audio go from quiet to within 6 dB of
// the tone's level.
func toneOnsets(t *testing.T, file string, rate int) []float64 {
	n := rate / 100
	levels := metadataPrint(t, file, "a", fmt.Sprintf("asetnsamples=n=%d:p=0,astats=metadata=1:reset=1", n),
		"lavfi.astats.Overall.RMS_level")
	peak := math.Inf(-1)
	for _, l := range levels {
		peak = max(peak, l[1])
	}
	var at []float64
	loud := false
	for _, l := range levels {
		now := l[1] > peak-6
		if now && !loud {
			at = append(at, l[0])
		}
		loud = now
	}
	return at
}

// TestE2ELipSync: a tone and a white frame captured on the same instant, audio and video RTP
// timestamps from unrelated random bases, audio 200 ms late on the wire; in the RTMP output they
// are within 40 ms of each other.
func TestE2ELipSync(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	src := makeSyncSource(t)
	ngx := peers.StartNginx(t)
	// The recording ends when the stream goes idle after the source: no gap filling here.
	g := startGateway(t, "SIPCAST_AAC_SAMPLE_RATE=48000", "SIPCAST_RTMP_GAP_FILL=off")
	url, done := sourceCall(t, g, ngx, "sync", src, impairment{delay: 200 * time.Millisecond}, impairment{})
	file := record(t, url)
	<-done
	white, tones := whiteFrames(t, file), toneOnsets(t, file, 48000)
	t.Logf("white frames at %v s, tone onsets at %v s", white, tones)
	if len(white) != len(syncEvents) || len(tones) != len(syncEvents) {
		t.Fatalf("found %d white frames and %d tones, want %d of each", len(white), len(tones), len(syncEvents))
	}
	for i := range syncEvents {
		skew := time.Duration((tones[i] - white[i]) * float64(time.Second))
		t.Logf("event %d: audio − video = %v", i, skew.Round(time.Millisecond))
		if skew > 40*time.Millisecond || skew < -40*time.Millisecond {
			t.Errorf("event %d: tone %v from its white frame, want within 40ms", i, skew)
		}
	}
}

// makeBusySource writes a source with a moving picture (several RTP packets a frame) and a
// steady tone, as makeSyncSource encodes it.
func makeBusySource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "busy.mkv")
	secs := strconv.Itoa(int(syncSourceLength.Seconds()))
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d="+secs, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:d="+secs,
		"-c:v", "libx264", "-profile:v", "baseline", "-bf", "0", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
		"-b:v", "600k", "-pix_fmt", "yuv420p", "-x264-params", "repeat-headers=1", "-c:a", "pcm_mulaw", path)
	return path
}

// outputQuality decodes a recording: video frames decoded and the decoder's complaints, the
// audio's length, and whether each stream's timestamps only went forward.
type outputQuality struct {
	frames, complaints int
	audio              float64
	monotonic          bool
}

func measure(t *testing.T, file string) outputQuality {
	t.Helper()
	var q outputQuality
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, _ := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", file,
		"-map", "0:v:0", "-fps_mode", "passthrough", "-f", "framecrc", "-", "-map", "0:a:0", "-f", "null", "-").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "0,"):
			q.frames++
		case strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#"):
			q.complaints++
		}
	}
	probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "packet=stream_index,dts_time",
		"-of", "csv=p=0", file).Output()
	if err != nil {
		t.Fatalf("ffprobe packets: %v", err)
	}
	q.monotonic = true
	last := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(probe)), "\n") {
		idx, ts, ok := strings.Cut(line, ",")
		v, err := strconv.ParseFloat(ts, 64)
		if !ok || err != nil {
			continue
		}
		if prev, seen := last[idx]; seen && v < prev {
			q.monotonic = false
		}
		last[idx] = v
		if idx == "1" {
			q.audio = v
		}
	}
	return q
}

// TestE2EImpairedNetwork: the media crosses a network that reorders 5 % and drops 2 % of the
// RTP packets. With the jitter buffer (the default) the reordered packets are put back, so the
// stream decodes with fewer errors than without it; either way it stays up, timestamps only go
// forward and the audio has no holes.
func TestE2EImpairedNetwork(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	src := makeBusySource(t)
	ngx := peers.StartNginx(t)
	imp := impairment{drop: 0.02, reorder: 0.05, seed: 7}
	var mu sync.Mutex
	results := map[string]outputQuality{}
	t.Run("both", func(t *testing.T) {
		for _, mode := range []string{"on", "off"} {
			t.Run("jitter buffer "+mode, func(t *testing.T) {
				t.Parallel()
				g := startGateway(t, "SIPCAST_RTP_JITTER_BUFFER="+map[string]string{"on": "true", "off": "false"}[mode],
					"SIPCAST_RTMP_GAP_FILL=off") // record ends when the stream goes idle
				url, done := sourceCall(t, g, ngx, "impaired-"+mode, src, imp, imp)
				file := record(t, url)
				<-done
				q := measure(t, file)
				t.Logf("jitter buffer %s: %d frames decoded (source: %d), %d decoder complaints, %.1f s of audio, monotonic %v",
					mode, q.frames, int(syncSourceLength/(40*time.Millisecond)), q.complaints, q.audio, q.monotonic)
				if !q.monotonic {
					t.Error("timestamps went backwards")
				}
				if q.audio < syncSourceLength.Seconds()-2 {
					t.Errorf("%.1f s of audio from %v", q.audio, syncSourceLength)
				}
				mu.Lock()
				results[mode] = q
				mu.Unlock()
			})
		}
	})
	// The recording starts at the first key frame nginx-rtmp passes on (up to 1 s in), and a
	// lost packet can cost its frame: most frames, not all, come out.
	on, off := results["on"], results["off"]
	if on.frames < int(syncSourceLength/(40*time.Millisecond))*6/10 {
		t.Errorf("jitter buffer on: %d frames decoded", on.frames)
	}
	if on.complaints >= off.complaints || on.frames <= off.frames {
		t.Errorf("jitter buffer on: %d frames, %d decoder complaints; off: %d, %d; want more frames and fewer complaints with it",
			on.frames, on.complaints, off.frames, off.complaints)
	}
}
