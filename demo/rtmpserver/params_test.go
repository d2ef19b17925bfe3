package rtmpserver

import (
	"testing"

	"github.com/bluenviron/gortmplib/pkg/codecs"
)

func TestH264Update(t *testing.T) {
	sps := []byte{0x67, 0x42, 0xc0, 0x1e}
	sps2 := []byte{0x67, 0x42, 0xc0, 0x1f}
	pps := []byte{0x68, 0xce}
	idr := []byte{0x65, 0x88}
	nonIDR := []byte{0x41, 0x9a}
	aud := []byte{0x09, 0xf0}
	cur := &codecs.H264{SPS: sps, PPS: pps}

	cases := []struct {
		name             string
		au               [][]byte
		changed, picture bool
		wantSPS          []byte
	}{
		{"replayed config", [][]byte{sps, pps}, false, false, sps},
		{"inline same headers", [][]byte{aud, sps, pps, idr}, false, true, sps},
		{"new SPS only", [][]byte{sps2, pps}, true, false, sps2},
		{"new SPS with picture", [][]byte{sps2, pps, idr}, true, true, sps2},
		{"plain frame", [][]byte{nonIDR}, false, true, sps},
		{"empty NALU ignored", [][]byte{{}, aud}, false, false, sps},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, changed, picture := h264Update(cur, c.au)
			if changed != c.changed || picture != c.picture {
				t.Errorf("changed, picture = %v, %v; want %v, %v", changed, picture, c.changed, c.picture)
			}
			if string(next.SPS) != string(c.wantSPS) || string(next.PPS) != string(pps) {
				t.Errorf("next = %x/%x", next.SPS, next.PPS)
			}
			if !changed && next != cur {
				t.Error("unchanged parameters must return cur itself")
			}
			if string(cur.SPS) != string(sps) {
				t.Error("cur was modified")
			}
		})
	}
}

func TestH265Update(t *testing.T) {
	vps := []byte{0x40, 0x01, 0x0c}
	sps := []byte{0x42, 0x01, 0x01}
	sps2 := []byte{0x42, 0x01, 0x02}
	pps := []byte{0x44, 0x01, 0xc0}
	idr := []byte{0x26, 0x01, 0xaf} // IDR_W_RADL
	cur := &codecs.H265{VPS: vps, SPS: sps, PPS: pps}

	if next, changed, picture := h265Update(cur, [][]byte{vps, sps, pps}); changed || picture || next != cur {
		t.Errorf("replayed config: changed=%v picture=%v", changed, picture)
	}
	next, changed, picture := h265Update(cur, [][]byte{vps, sps2, pps, idr})
	if !changed || !picture || string(next.SPS) != string(sps2) || string(next.VPS) != string(vps) {
		t.Errorf("new SPS: changed=%v picture=%v next=%+v", changed, picture, next)
	}
}
