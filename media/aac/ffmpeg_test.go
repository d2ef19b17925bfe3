package aac

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// ffmpegTimeout bounds one decode; a healthy one takes milliseconds.
const ffmpegTimeout = 30 * time.Second

// requireFFmpeg skips when ffmpeg is missing on a developer machine, but
// fails in CI, where a missing ffmpeg means the decode check silently died.
func requireFFmpeg(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ffmpeg not on PATH in CI: %v", err)
		}
		t.Skip("ffmpeg not on PATH")
	}
	return path
}

// decodeAUs wraps aus in ADTS, decodes them with the ffmpeg CLI (an
// independent decoder) and returns the mono PCM it produced.
func decodeAUs(t *testing.T, aus [][]byte, rate int) []int16 {
	t.Helper()
	ffmpeg := requireFFmpeg(t)

	pkts := make(mpeg4audio.ADTSPackets, len(aus))
	for i, au := range aus {
		pkts[i] = &mpeg4audio.ADTSPacket{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: rate, ChannelConfig: 1, AU: au}
	}
	adts, err := pkts.Marshal()
	if err != nil {
		t.Fatalf("ADTS marshal: %v", err)
	}
	path := filepath.Join(t.TempDir(), "x.aac")
	if err := os.WriteFile(path, adts, 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), ffmpegTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
		"-i", path, "-f", "s16le", "-ac", "1", "-")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("ffmpeg complained: %s", stderr.String())
	}
	pcm := make([]int16, stdout.Len()/2)
	if err := binary.Read(&stdout, binary.LittleEndian, pcm); err != nil {
		t.Fatal(err)
	}
	return pcm
}
