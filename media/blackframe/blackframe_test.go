package blackframe

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// maxPacketPayload is what one RTP packet must carry: an H.264 single NAL unit packet, or a VP8
// frame behind its one-byte descriptor, under a 1200-byte payload (no IP fragmentation on any
// path with a 1280-byte MTU).
const maxPacketPayload = 1200

func TestH264(t *testing.T) {
	var idrs [][]byte
	for n := range 4 {
		nalus := H264(n)
		if len(nalus) != 3 {
			t.Fatalf("frame %d: %d NAL units, want SPS, PPS, IDR", n, len(nalus))
		}
		for i, want := range []h264.NALUType{h264.NALUTypeSPS, h264.NALUTypePPS, h264.NALUTypeIDR} {
			if typ := h264.NALUType(nalus[i][0] & 0x1f); typ != want {
				t.Fatalf("frame %d NAL %d: type %v, want %v", n, i, typ, want)
			}
			if len(nalus[i]) >= maxPacketPayload-1 {
				t.Fatalf("frame %d NAL %d: %d bytes, too big for one packet", n, i, len(nalus[i]))
			}
		}
		var sps h264.SPS
		if err := sps.Unmarshal(nalus[0]); err != nil {
			t.Fatal(err)
		}
		// Constrained Baseline: profile_idc 66 with constraint_set1 (H.264 A.2.1.1).
		if sps.ProfileIdc != 66 || !sps.ConstraintSet1Flag || sps.Width() != Width || sps.Height() != Height {
			t.Fatalf("frame %d: SPS profile %d cs1 %v %dx%d", n, sps.ProfileIdc, sps.ConstraintSet1Flag, sps.Width(), sps.Height())
		}
		idrs = append(idrs, nalus[2])
	}
	// Consecutive IDRs differ (idr_pic_id 0, 1); every other one is the same.
	if bytes.Equal(idrs[0], idrs[1]) || !bytes.Equal(idrs[0], idrs[2]) || !bytes.Equal(idrs[1], idrs[3]) {
		t.Fatal("IDRs do not alternate")
	}
}

func TestVP8(t *testing.T) {
	f := VP8()
	// RFC 6386 §9.1: the frame tag (P bit 0: key frame; show_frame set), the start code, then
	// 14-bit width and height.
	if len(f) < 10 || f[0]&0x01 != 0 || f[0]&0x10 == 0 || !bytes.Equal(f[3:6], []byte{0x9d, 0x01, 0x2a}) {
		t.Fatalf("not a shown VP8 key frame: % x", f[:min(len(f), 10)])
	}
	w, h := binary.LittleEndian.Uint16(f[6:])&0x3fff, binary.LittleEndian.Uint16(f[8:])&0x3fff
	if w != Width || h != Height || len(f) >= maxPacketPayload-1 {
		t.Fatalf("%dx%d, %d bytes", w, h, len(f))
	}
}

// The pictures decode, with ffmpeg, to black: every luma sample at or near 16, the black of
// video range, and every chroma sample at or near 128, no colour.
func TestDecodeWithFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	dir := t.TempDir()
	var annexb []byte
	for n := range 2 {
		for _, nalu := range H264(n) {
			annexb = append(append(annexb, 0, 0, 0, 1), nalu...)
		}
	}
	for _, tc := range []struct {
		name, format string
		data         []byte
		frames       int
	}{
		{"black.h264", "h264", annexb, 2},
		{"black.ivf", "ivf", ivf(VP8()), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-f", tc.format, "-i", path,
				"-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil || stderr.Len() > 0 {
				t.Fatalf("ffmpeg: %v\n%s", err, stderr.String())
			}
			const lumaSize, frameSize = Width * Height, Width * Height * 3 / 2
			raw := stdout.Bytes()
			if len(raw) != tc.frames*frameSize {
				t.Fatalf("%d bytes of yuv420p, want %d frames of %dx%d", len(raw), tc.frames, Width, Height)
			}
			for i, v := range raw {
				want := byte(16)
				if i%frameSize >= lumaSize {
					want = 128
				}
				if v < want-2 || v > want+2 {
					t.Fatalf("sample %d of %d is %d, want %d: not black", i%frameSize, i/frameSize, v, want)
				}
			}
		})
	}
}

// ivf wraps one VP8 frame in an IVF file (the container libvpx's tools write) for ffmpeg.
func ivf(frame []byte) []byte {
	b := make([]byte, 32+12, 32+12+len(frame))
	copy(b, "DKIF")
	binary.LittleEndian.PutUint16(b[6:], 32)
	copy(b[8:], "VP80")
	binary.LittleEndian.PutUint16(b[12:], Width)
	binary.LittleEndian.PutUint16(b[14:], Height)
	binary.LittleEndian.PutUint32(b[16:], 2) // time base 1/2 s
	binary.LittleEndian.PutUint32(b[20:], 1)
	binary.LittleEndian.PutUint32(b[24:], 1) // frames
	binary.LittleEndian.PutUint32(b[32:], uint32(len(frame)))
	return append(b, frame...)
}
