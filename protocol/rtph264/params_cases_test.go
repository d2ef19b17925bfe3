package rtph264

// bitWriter builds parameter sets bit by bit for the cases below.
type bitWriter struct {
	buf []byte
	n   int // bits written
}

func (w *bitWriter) bit(b uint32) {
	if w.n%8 == 0 {
		w.buf = append(w.buf, 0)
	}
	if b != 0 {
		w.buf[len(w.buf)-1] |= 0x80 >> (w.n % 8)
	}
	w.n++
}

func (w *bitWriter) ue(v uint32) {
	v++
	size := 0
	for x := v; x > 1; x >>= 1 {
		size++
	}
	for range size {
		w.bit(0)
	}
	for i := size; i >= 0; i-- {
		w.bit(v >> i & 1)
	}
}

// rbsp ends the payload with the stop bit and returns it after header.
func (w *bitWriter) rbsp(header ...byte) []byte {
	w.bit(1)
	return append(header, w.buf...)
}

// spsSpec describes a Baseline SPS to build.
type spsSpec struct {
	id, pocType       uint32
	widthMbs, heighMu uint32 // pic_width_in_mbs_minus1 + 1, pic_height_in_map_units_minus1 + 1
	crop              []uint32
}

func buildSPS(s spsSpec) []byte {
	var w bitWriter
	w.ue(s.id)
	w.ue(0) // log2_max_frame_num_minus4
	w.ue(s.pocType)
	if s.pocType == 0 {
		w.ue(0) // log2_max_pic_order_cnt_lsb_minus4
	}
	w.ue(1)              // max_num_ref_frames
	w.bit(0)             // gaps_in_frame_num_value_allowed_flag
	w.ue(s.widthMbs - 1) // pic_width_in_mbs_minus1
	w.ue(s.heighMu - 1)  // pic_height_in_map_units_minus1
	w.bit(1)             // frame_mbs_only_flag
	w.bit(1)             // direct_8x8_inference_flag
	if s.crop != nil {
		w.bit(1)
		for _, c := range s.crop {
			w.ue(c)
		}
	} else {
		w.bit(0)
	}
	w.bit(0) // vui_parameters_present_flag
	return w.rbsp(0x67, 66, 0xc0, 31)
}

func buildPPS(id, spsID uint32) []byte {
	var w bitWriter
	w.ue(id)
	w.ue(spsID)
	w.bit(0) // entropy_coding_mode_flag
	return w.rbsp(0x68)
}

// paramCase is one parameter set and what CheckSPS or CheckPPS must say. The table is shared by
// the unit test and the fuzz seeds.
type paramCase struct {
	name string
	nal  []byte
	// wantErr: nil when valid, else the sentinel the error wraps.
	wantErr error
	// width, height: what a valid SPS announces.
	width, height int
}

// blackSPS and blackPPS are x264's, from media/blackframe.
var (
	blackSPS = []byte{0x67, 0x42, 0xc0, 0x0a, 0xdc, 0x2c, 0x4e, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00,
		0x00, 0x03, 0x00, 0x12, 0x3c, 0x48, 0x9e}
	blackPPS = []byte{0x68, 0xce, 0x02, 0x92, 0xc8}
)

var paramCases = []paramCase{
	{name: "sps x264", nal: blackSPS, width: 176, height: 144},
	{name: "sps built 640x480", nal: buildSPS(spsSpec{widthMbs: 40, heighMu: 30}), width: 640, height: 480},
	{name: "sps poc type 2", nal: buildSPS(spsSpec{pocType: 2, widthMbs: 20, heighMu: 15}), width: 320, height: 240},
	{name: "sps cropped 1920x1080", nal: buildSPS(spsSpec{widthMbs: 120, heighMu: 68, crop: []uint32{0, 0, 0, 4}}),
		width: 1920, height: 1080},
	// Issue #12: two spoofed packets with this SPS and an IDR silenced a call's RTMP output.
	{name: "sps poc type 14 (issue 12)", nal: buildSPS(spsSpec{pocType: 14, widthMbs: 40, heighMu: 30}), wantErr: ErrBadSPS},
	{name: "sps poc type 14, short", nal: []byte{0x67, 0x42, 0xc0, 0x1f, 0xc7, 0xc0}, wantErr: ErrBadSPS},
	{name: "sps empty", nal: nil, wantErr: ErrBadSPS},
	{name: "sps header only", nal: []byte{0x67}, wantErr: ErrBadSPS},
	{name: "sps no fields after level", nal: []byte{0x67, 0x42, 0xc0, 0x1f}, wantErr: ErrBadSPS},
	{name: "sps truncated", nal: buildSPS(spsSpec{widthMbs: 40, heighMu: 30})[:6], wantErr: ErrBadSPS},
	{name: "sps wrong type", nal: append([]byte{0x68}, blackSPS[1:]...), wantErr: ErrBadSPS},
	{name: "sps forbidden bit", nal: append([]byte{0xe7}, blackSPS[1:]...), wantErr: ErrBadSPS},
	{name: "sps id 32", nal: buildSPS(spsSpec{id: 32, widthMbs: 40, heighMu: 30}), wantErr: ErrBadSPS},
	{name: "sps too wide", nal: buildSPS(spsSpec{widthMbs: 600, heighMu: 30}), wantErr: ErrBadSPS},
	{name: "sps crop wraps", nal: buildSPS(spsSpec{widthMbs: 40, heighMu: 30, crop: []uint32{1000, 0, 0, 0}}),
		wantErr: ErrBadSPS},
	{name: "sps too big", nal: append(append([]byte{}, blackSPS...), make([]byte, MaxParamSetSize)...), wantErr: ErrBadSPS},
	{name: "sps all zeros", nal: append([]byte{0x67, 66, 0, 31}, make([]byte, 40)...), wantErr: ErrBadSPS},

	{name: "pps x264", nal: blackPPS},
	{name: "pps built", nal: buildPPS(3, 1)},
	{name: "pps empty", nal: nil, wantErr: ErrBadPPS},
	{name: "pps header only", nal: []byte{0x68}, wantErr: ErrBadPPS},
	{name: "pps wrong type", nal: []byte{0x67, 0xce}, wantErr: ErrBadPPS},
	{name: "pps forbidden bit", nal: []byte{0xe8, 0xce}, wantErr: ErrBadPPS},
	{name: "pps id 256", nal: buildPPS(256, 0), wantErr: ErrBadPPS},
	{name: "pps sps id 32", nal: buildPPS(0, 32), wantErr: ErrBadPPS},
	{name: "pps golomb overflow", nal: []byte{0x68, 0, 0, 0, 0, 0x01}, wantErr: ErrBadPPS},
	{name: "pps too big", nal: append([]byte{0x68, 0xce}, make([]byte, MaxParamSetSize)...), wantErr: ErrBadPPS},
}
