package transcode

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

const frameInterval = 40 * time.Millisecond // the test clips' 25 fps

// transcodeFile feeds an IVF file's frames from pts0 and returns the AUs.
func transcodeFile(t testing.TB, tr *VideoTranscoder, file string, pts0 time.Duration) []AU {
	t.Helper()
	var out []AU
	for i, f := range readIVF(t, testdata(file)) {
		in := bytes.Clone(f.data)
		aus, err := tr.Transcode(in, f.key, pts0+time.Duration(i)*frameInterval)
		if err != nil {
			t.Fatalf("%s frame %d: %v", file, i, err)
		}
		if !bytes.Equal(in, f.data) {
			t.Fatalf("%s frame %d: input modified", file, i)
		}
		out = append(out, aus...)
	}
	return out
}

func spsSize(t testing.TB, au AU) (int, int) {
	t.Helper()
	for _, n := range au.NALUs {
		if h264.NALUType(n[0]&0x1f) == h264.NALUTypeSPS {
			var sps h264.SPS
			if err := sps.Unmarshal(n); err != nil {
				t.Fatal(err)
			}
			return sps.Width(), sps.Height()
		}
	}
	return 0, 0
}

func TestVideoTranscoder(t *testing.T) {
	tr, err := NewVideoTranscoder(VideoConfig{KeyInterval: time.Second, Bitrate: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	aus := transcodeFile(t, tr, "vp8-160x120.ivf", 0)
	// The encoder keeps one picture back (variable frame rate input).
	if len(aus) != 49 {
		t.Fatalf("%d access units from 50 frames", len(aus))
	}
	var keys []time.Duration
	for i, au := range aus {
		if au.PTS != time.Duration(i)*frameInterval {
			t.Fatalf("AU %d at %v", i, au.PTS)
		}
		if au.Key {
			keys = append(keys, au.PTS)
			if w, h := spsSize(t, au); w != 160 || h != 120 {
				t.Fatalf("key AU %d: SPS %dx%d", i, w, h)
			}
		}
	}
	if want := []time.Duration{0, time.Second}; !equalDurations(keys, want) {
		t.Fatalf("IDR at %v, want %v", keys, want)
	}

	// A new picture size restarts the stream on an IDR with a new SPS.
	more := transcodeFile(t, tr, "vp8-176x144.ivf", 2*time.Second)
	if len(more) == 0 || !more[0].Key {
		t.Fatal("no IDR after the size change")
	}
	if w, h := spsSize(t, more[0]); w != 176 || h != 144 {
		t.Fatalf("SPS %dx%d after the size change", w, h)
	}

	// ForceKey: the next picture is an IDR whatever the interval.
	tr.ForceKey()
	f := readIVF(t, testdata("vp8-176x144.ivf"))
	if _, err := tr.Transcode(f[1].data, false, 3500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	got, err := tr.Transcode(f[2].data, false, 3540*time.Millisecond)
	if err != nil || len(got) != 1 || !got[0].Key || got[0].PTS != 3500*time.Millisecond {
		t.Fatalf("forced key: %v %+v", err, got)
	}

	// The picture x264 held when the size changed went with its encoder.
	all := append(append(aus, more...), got...)
	if len(all) < 72 {
		t.Fatalf("%d access units from 76 frames", len(all))
	}
	decodeCheck(t, all, len(all))
}

func equalDurations(a, b []time.Duration) bool { return slices.Equal(a, b) }

// decodeCheck writes the AUs as an Annex B stream and has the ffmpeg CLI (an
// independent decoder) decode it without complaint.
func decodeCheck(t *testing.T, aus []AU, wantFrames int) {
	t.Helper()
	ffmpeg := requireFFmpeg(t)
	var annexb []byte
	for _, au := range aus {
		b, err := h264.AnnexB(au.NALUs).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		annexb = append(annexb, b...)
	}
	path := filepath.Join(t.TempDir(), "out.h264")
	if err := os.WriteFile(path, annexb, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffmpeg, "-hide_banner", "-v", "error", "-i", path, "-fps_mode", "passthrough", "-f", "framemd5", "-").CombinedOutput()
	if err != nil || strings.Contains(string(out), "rror") {
		t.Fatalf("ffmpeg decode: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "\n0,"); n != wantFrames {
		t.Fatalf("ffmpeg decoded %d frames, want %d", n, wantFrames)
	}
}

func TestVideoTranscoderWaitsForKeyFrame(t *testing.T) {
	tr, err := NewVideoTranscoder(VideoConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	f := readIVF(t, testdata("vp8-160x120.ivf"))
	// Inter frames before any key frame are skipped without an error.
	for i := 1; i < 5; i++ {
		if aus, err := tr.Transcode(f[i].data, false, time.Duration(i)*frameInterval); err != nil || aus != nil {
			t.Fatalf("frame %d before the key: %v %v", i, err, aus)
		}
	}
	if _, err := tr.Transcode(f[0].data, true, 0); err != nil {
		t.Fatalf("key frame: %v", err)
	}
	if aus, err := tr.Transcode(f[1].data, false, frameInterval); err != nil || len(aus) != 1 || !aus[0].Key {
		t.Fatalf("key frame out: %v %+v", err, aus)
	}
	// Garbage as a key frame is refused; the transcoder keeps working.
	if _, err := tr.Transcode([]byte{0x00, 0x01, 0x02}, true, 50*time.Millisecond); !errors.Is(err, ErrDecode) {
		t.Fatalf("garbage: %v", err)
	}
	if aus, err := tr.Transcode(f[25].data, true, time.Second); err != nil || len(aus) != 1 || aus[0].PTS != frameInterval {
		t.Fatalf("after garbage: %v %+v", err, aus)
	}
	tr.Close()
	if _, err := tr.Transcode(f[26].data, false, time.Second); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestVideoConfig(t *testing.T) {
	for _, c := range []VideoConfig{{Bitrate: 10}, {FrameRate: 1000}, {Preset: "fast:x=1"}, {KeyInterval: -1}} {
		if _, err := NewVideoTranscoder(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if _, err := NewVideoTranscoder(VideoConfig{Preset: "nosuchpreset"}); err != nil {
		t.Fatal("the preset is checked when the encoder opens, with the first picture")
	}
}
