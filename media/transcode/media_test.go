package transcode

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ivfFrame is one frame of an IVF file (libvpx's raw container).
type ivfFrame struct {
	data []byte
	key  bool
}

// readIVF returns the frames of an IVF file: a 32-byte header, then per frame
// a 4-byte size, an 8-byte timestamp and the data.
func readIVF(t testing.TB, path string) []ivfFrame {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 32 || string(b[:4]) != "DKIF" {
		t.Fatalf("%s: not IVF", path)
	}
	var out []ivfFrame
	for b = b[binary.LittleEndian.Uint16(b[6:]):]; len(b) >= 12; {
		n := int(binary.LittleEndian.Uint32(b))
		if 12+n > len(b) {
			t.Fatalf("%s: truncated", path)
		}
		f := b[12 : 12+n]
		out = append(out, ivfFrame{data: f, key: f[0]&1 == 0})
		b = b[12+n:]
	}
	return out
}

// readOggPackets returns the packets of an Ogg stream, the Opus headers
// (OpusHead, OpusTags) left out.
func readOggPackets(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pkts [][]byte
	var cur []byte
	for len(b) >= 27 {
		if string(b[:4]) != "OggS" {
			t.Fatalf("%s: lost page sync", path)
		}
		nseg := int(b[26])
		lacing := b[27 : 27+nseg]
		data := b[27+nseg:]
		for _, l := range lacing {
			cur = append(cur, data[:l]...)
			data = data[l:]
			if l < 255 {
				pkts = append(pkts, cur)
				cur = nil
			}
		}
		b = data
	}
	if len(pkts) < 2 || !bytes.HasPrefix(pkts[0], []byte("OpusHead")) {
		t.Fatalf("%s: not Ogg Opus", path)
	}
	return pkts[2:]
}

func testdata(name string) string { return filepath.Join("testdata", name) }

// requireFFmpeg skips without ffmpeg on a developer machine and fails in CI.
func requireFFmpeg(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("ffmpeg not on PATH in CI: %v", err)
		}
		t.Skip("ffmpeg not on PATH")
	}
	return path
}
