package e2e

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
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

// Every codec pair of the spec's SIP side, from real devices, read back from nginx-rtmp as
// H.264 + AAC whose frames decode: baresip sending VP8 + Opus and H.264 + Opus, SIPp sending
// H.264 in both packetization modes with PCMU and PCMA, and Speex (audio only, also read back
// over nginx-rtmp's HLS).

// codecCase is one device and what the RTMP stream must carry.
type codecCase struct {
	name  string
	start func(t *testing.T) (sipPort string)
	// want: video size (0: no video), AAC sample rate (0: no audio).
	width, height int
	aacRate       int
	hls           bool // also read the stream back over HLS
	// minFrames is the least frames decoded from the first 3 s of the stream (default 40, of
	// 75). baresip encodes its video live (and sipcast re-encodes VP8 to H.264): on a loaded
	// 2-core machine those encoders skip frames (25 and 26 seen), so there it only has to decode.
	minFrames int
}

func sippDevice(scenario string) func(t *testing.T) string {
	return func(t *testing.T) string { return itoa(peers.StartSIPpUAS(t, scenario).Port) }
}

// baresipDevice is baresip sending Opus (its microphone a 48 kHz stereo tone: aufile wants the
// codec's channels) and the video codec named ("" lets it choose among its own).
func baresipDevice(audio, video string) func(t *testing.T) string {
	return func(t *testing.T) string {
		wav := filepath.Join(t.TempDir(), "tone48k.wav")
		out, err := exec.Command("ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
			"sine=frequency=440:sample_rate=48000:duration=180", "-ac", "2", wav).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		b := peers.StartBaresip(t, peers.WithBaresipCodecs(audio, video), peers.WithMicrophone(wav))
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("baresip log:\n%s", b.Logs())
			}
		})
		return b.SIPPort()
	}
}

var codecCases = []codecCase{
	{name: "baresip VP8 + Opus", start: baresipDevice("opus/48000/2", "VP8"), width: 640, height: 360, aacRate: 48000, minFrames: 15},
	{name: "baresip H.264 + Opus", start: baresipDevice("opus/48000/2", ""), width: 640, height: 360, aacRate: 48000, minFrames: 15},
	{name: "SIPp H.264 mode 1 + PCMU", start: sippDevice("uas_h264_pcmu.xml"), width: 640, height: 360, aacRate: 8000},
	{name: "SIPp H.264 mode 1 + PCMA", start: sippDevice("uas_h264_pcma.xml"), width: 640, height: 360, aacRate: 8000},
	{name: "SIPp H.264 mode 0 + PCMA", start: sippDevice("uas_h264m0_pcma.xml"), width: 640, height: 360, aacRate: 8000},
	{name: "SIPp H.264 mode 0 + PCMU", start: sippDevice("uas_h264m0_pcmu.xml"), width: 640, height: 360, aacRate: 8000},
	{name: "SIPp Speex wideband, audio only", start: sippDevice("uas_speex_loop.xml"), aacRate: 16000, hls: true},
	{name: "SIPp H.264, video only", start: sippDevice("uas_h264_only.xml"), width: 640, height: 360, hls: true},
}

func TestE2ECodecs(t *testing.T) {
	requirePeers(t)
	peers.RequireTools(t, "baresip")
	t.Parallel()
	ngx := peers.StartNginx(t, peers.WithHLS())
	// One gateway for every call: 2 port pairs a call.
	rtp := peers.FreeUDPPorts(t, 4*len(codecCases))
	g := startGateway(t, fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtp, rtp+4*len(codecCases)-1))
	for i, tc := range codecCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := g.forTest(t)
			port := tc.start(t)
			id, stream := fmt.Sprintf("codec%d", i), fmt.Sprintf("codec%d", i)
			code, res := g.post("/call/startup", startupBody(map[string]any{
				"callId": id, "callee": "bob", "sipDomain": "127.0.0.1", "sipPort": port,
				"rtmpUrl": ngx.URL("live"), "rtmpStream": stream, "toStream": id,
			}))
			if code != http.StatusOK {
				t.Fatalf("startup: %d %s", code, res)
			}
			g.waitFor(id, 15*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
				return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
			})
			if tc.hls {
				// First: SIPp's H.264 capture lasts 15 s, and a live playlist that stops
				// growing leaves a player waiting.
				checkHLS(t, ngx, stream, tc.aacRate > 0)
			}
			url := ngx.URL("live") + "/" + stream
			checkStreams(t, url, tc.width, tc.height, tc.aacRate)
			if tc.width > 0 {
				frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), url, 3)
				if err != nil || frames < cmp.Or(tc.minFrames, 40) {
					t.Fatalf("video decode: %d frames, %v\n%s", frames, err, stderr)
				}
				if decoderComplained(stderr) {
					t.Errorf("video decoder complained:\n%s", stderr)
				}
			}
			if tc.aacRate > 0 {
				seconds, stderr := decodeAudio(t, url, 2)
				if seconds < 1.5 {
					t.Fatalf("audio decode: %.2f s of 2\n%s", seconds, stderr)
				}
				if decoderComplained(stderr) {
					t.Errorf("audio decoder complained:\n%s", stderr)
				}
			}
			if code, res := g.post("/call/terminate", fmt.Sprintf(`{"callId":%q}`, id)); code != http.StatusOK {
				t.Fatalf("terminate: %d %s", code, res)
			}
		})
	}
}

// checkStreams wants H.264 of the given size (none when width is 0) and mono AAC at rate. A
// device's camera may start seconds after its microphone (baresip's does), so the probe is
// repeated until the stream has everything or 20 s passed.
func checkStreams(t *testing.T, url string, width, height, rate int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := probeStreams(t, url, width, height, rate)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
}

func probeStreams(t *testing.T, url string, width, height, rate int) error {
	streams, err := peers.Probe(probeCtx(t, 20*time.Second), url)
	if err != nil {
		return fmt.Errorf("ffprobe: %w", err)
	}
	var video, audio *peers.Stream
	for i := range streams {
		switch streams[i].Type {
		case "video":
			video = &streams[i]
		case "audio":
			audio = &streams[i]
		}
	}
	switch {
	case width == 0 && video != nil:
		return fmt.Errorf("unexpected video %+v", video)
	case width > 0 && (video == nil || video.Codec != "h264" || video.Width != width || video.Height != height):
		return fmt.Errorf("video %+v, want h264 %dx%d", video, width, height)
	case rate == 0 && audio != nil:
		return fmt.Errorf("unexpected audio %+v", audio)
	case rate > 0 && (audio == nil || audio.Codec != "aac" || audio.SampleRate != rate || audio.Channels != 1):
		return fmt.Errorf("audio %+v, want aac %d Hz mono", audio, rate)
	}
	return nil
}

// decodeAudio decodes the first audio stream of url for seconds and returns how much audio
// came out and ffmpeg's complaints.
func decodeAudio(t *testing.T, url string, seconds int) (float64, string) {
	t.Helper()
	ctx := probeCtx(t, 30*time.Second)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-nostats",
		"-progress", "pipe:1", "-rw_timeout", "5000000", "-i", url, "-map", "0:a:0", "-t", strconv.Itoa(seconds), "-f", "null", "-")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg audio decode: %v\n%s", err, errb.String())
	}
	last := 0.0
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "out_time_us="); ok {
			if us, err := strconv.ParseFloat(v, 64); err == nil {
				last = us / 1e6
			}
		}
	}
	return last, errb.String()
}

// decoderComplained reports an error line of ffmpeg's decode output.
func decoderComplained(stderr string) bool {
	s := strings.ToLower(stderr)
	return strings.Contains(s, "error") || strings.Contains(s, "non-existing pps") || strings.Contains(s, "invalid")
}

// checkHLS reads the stream back from nginx-rtmp's HLS: the playlist lists fragments, and
// ffmpeg decodes the AAC (audio) or the H.264 from it without special options.
func checkHLS(t *testing.T, ngx *peers.Nginx, stream string, audio bool) {
	t.Helper()
	url := ngx.HLSURL(stream)
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK && strings.Count(string(body), ".ts") >= 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("HLS playlist %s: no fragments (%v)", url, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	checkHLSTracks(t, ngx, stream, audio, !audio)
	if !audio {
		frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), url, 2)
		if err != nil || frames < 25 || decoderComplained(stderr) {
			t.Fatalf("HLS video decode: %d frames, %v\n%s", frames, err, stderr)
		}
		return
	}
	// nginx-rtmp's MPEG-TS always declares a video PID, even for an audio-only stream (see
	// checkHLSTracks: it carries no packet); what matters is that the AAC is there and decodes.
	if secs, stderr := decodeAudio(t, url, 2); secs < 1.5 || decoderComplained(stderr) {
		t.Fatalf("HLS audio decode: %.2f s\n%s", secs, stderr)
	}
}

// forTest is the gateway as seen by a subtest: its helpers fail that subtest, not the parent.
func (g *gateway) forTest(t *testing.T) *gateway {
	c := *g
	c.t = t
	return &c
}
