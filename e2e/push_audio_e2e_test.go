package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// audioOf decodes a couple of seconds of a stream's audio and returns its loudness (RMS) and
// its dominant frequency (from zero crossings): enough to tell the call's 440 Hz tone from a
// 1 kHz sound file, and either from silence.
func audioOf(t *testing.T, url string) (rms, hz float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-rw_timeout", "5000000", "-i", url,
		"-t", "3", "-vn", "-f", "s16le", "-ac", "1", "-ar", "8000", "-")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", url, err, stderr.String())
	}
	s := make([]int16, out.Len()/2)
	_ = binary.Read(&out, binary.LittleEndian, s)
	s = s[len(s)/3:] // skip the start: the stream may begin on the previous audio
	if len(s) < 4000 {
		t.Fatalf("only %d samples of audio", len(s))
	}
	var sum float64
	crossings := 0
	for i, v := range s {
		sum += float64(v) * float64(v)
		if i > 0 && (s[i-1] < 0) != (v < 0) {
			crossings++
		}
	}
	return math.Sqrt(sum / float64(len(s))), float64(crossings) / 2 / (float64(len(s)) / 8000)
}

// writeToneWAV writes a 16-bit mono WAV of a sine.
func writeToneWAV(t *testing.T, path string, hz float64, rate, seconds int) {
	t.Helper()
	n := rate * seconds
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16)} {
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(2*n))
	for i := 0; i < n; i++ {
		_ = binary.Write(&b, binary.LittleEndian, int16(12000*math.Sin(2*math.Pi*hz*float64(i)/float64(rate))))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A push that starts with a sound file plays it instead of the call's audio; sound_off brings
// the call back; mute silences it; a sound name leading out of the sounds folder is refused.
func TestE2EPushSoundAndMute(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	sounds := t.TempDir()
	writeToneWAV(t, filepath.Join(sounds, "sample.wav"), 1000, 16000, 3)
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t, "SIPCAST_SOUNDS_DIR="+sounds)
	startCall(t, g, sipp, "snd", "", "", nil)
	g.waitStatus("snd", callapi.StatusEstablished, 10*time.Second)

	code, res := g.post("/push/startup", `{"streamName":"snd","rtmpUrl":"`+ngx.URL("live")+
		`","options":{"action":"sound_on","soundFile":"sample.wav","loop":true}}`)
	var p callapi.Push
	if code != http.StatusOK || json.Unmarshal(res, &p) != nil || !p.SoundEnabled || p.PublishedName != "rtmp_snd" {
		t.Fatalf("push with sound: %d %s", code, res)
	}
	url := ngx.URL("live") + "/rtmp_snd"
	g.waitFor("snd", 10*time.Second, "push active", func(callapi.Call) bool {
		code, res := g.post("/push/find", `{"streamName":"rtmp_snd"}`)
		return code == http.StatusOK && strings.Contains(string(res), callapi.RTMPStreamActive)
	})
	if rms, hz := audioOf(t, url); rms < 1000 || hz < 900 || hz > 1100 {
		t.Fatalf("sound_on: rms %.0f at %.0f Hz, want the 1 kHz sound", rms, hz)
	}
	id := p.MediaSessionID
	for _, bad := range []string{"../sample.wav", "/etc/passwd", "nosuch.wav"} {
		if code, res := g.post("/push/sound_on", `{"mediaSessionId":"`+id+`","soundFile":"`+bad+`"}`); code != http.StatusBadRequest {
			t.Errorf("sound %q: %d %s", bad, code, res)
		}
	}
	if code, _ := g.post("/push/sound_off", `{"mediaSessionId":"`+id+`"}`); code != http.StatusOK {
		t.Fatalf("sound_off: %d", code)
	}
	time.Sleep(time.Second)
	if rms, hz := audioOf(t, url); rms < 1000 || hz < 400 || hz > 480 {
		t.Fatalf("sound_off: rms %.0f at %.0f Hz, want the call's 440 Hz tone", rms, hz)
	}
	if code, _ := g.post("/push/mute", `{"mediaSessionId":"`+id+`"}`); code != http.StatusOK {
		t.Fatalf("mute: %d", code)
	}
	time.Sleep(time.Second)
	if rms, _ := audioOf(t, url); rms > 100 {
		t.Fatalf("muted: rms %.0f, want silence", rms)
	}
	if code, res := g.post("/push/unmute", `{"mediaSessionId":"`+id+`"}`); code != http.StatusOK || !strings.Contains(string(res), `"muted":false`) {
		t.Fatalf("unmute: %d %s", code, res)
	}
}

// Credentials in rtmpUrl reach the server but never the logs or the call object.
func TestE2ERTMPCredentialsHidden(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	url := strings.Replace(ngx.URL("live"), "rtmp://", "rtmp://user:s3cr3tpw@", 1)
	startCall(t, g, sipp, "cred", url, "cred", nil)
	c := g.waitRTMP("cred", callapi.RTMPStreamActive, 10*time.Second)
	if strings.Contains(dump(c), "s3cr3tpw") {
		t.Fatalf("password in the call object: %s", dump(c))
	}
	if strings.Contains(g.logs(), "s3cr3tpw") {
		t.Fatal("password in sipcast's log")
	}
}
