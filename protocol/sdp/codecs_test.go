package sdp

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseCodecList(t *testing.T) {
	cases := []struct {
		kind, list string
		want       []uint8
		err        bool
	}{
		{"audio", "pcma,pcmu,speex,opus", []uint8{PTPCMA, PTPCMU, PTSpeex, PTSpeexNB, PTOpus}, false},
		{"audio", " Opus , PCMU ", []uint8{PTOpus, PTPCMU}, false},
		{"audio", "speex/8000,g711,pcma", []uint8{PTSpeexNB, PTPCMA, PTPCMU}, false},
		{"video", "vp8,h264", []uint8{PTVP8, PTH264Mode1, PTH264Mode0}, false},
		{"video", "h264/mode0", []uint8{PTH264Mode0}, false},
		{"audio", "vp8", nil, true},
		{"video", "opus", nil, true},
		{"audio", "g729", nil, true},
		{"audio", " , ", nil, true},
	}
	for _, tc := range cases {
		got, err := ParseCodecList(tc.kind, tc.list)
		if tc.err {
			if !errors.Is(err, ErrInvalidOffer) {
				t.Errorf("%s %q: %v", tc.kind, tc.list, err)
			}
			continue
		}
		var pts []uint8
		for _, c := range got {
			pts = append(pts, c.PT)
		}
		if err != nil || !slices.Equal(pts, tc.want) {
			t.Errorf("%s %q: %v %v, want %v", tc.kind, tc.list, pts, err, tc.want)
		}
	}
}

func TestMoveFirst(t *testing.T) {
	got := MoveFirst(DefaultAudioSet, "speex", 16000)
	if got[0] != CodecSpeexWB || len(got) != len(DefaultAudioSet) || got[1] != CodecPCMA {
		t.Fatalf("%+v", got)
	}
	if got := MoveFirst(DefaultAudioSet, "PCMU", 0); got[0] != CodecPCMU || got[1] != CodecPCMA {
		t.Fatalf("%+v", got)
	}
}

// The default lists keep the spec's offer as their head: the spec's formats,
// numbers and fmtp, in the spec's order, the other codecs after them.
func TestOfferCodecLists(t *testing.T) {
	o := specLikeOffer()
	o.AudioCodecs, o.VideoCodecs = DefaultAudioSet, DefaultVideoSet
	b, err := o.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(
		"m=audio 31022 RTP/AVP 8 0\r\n", "m=audio 31022 RTP/AVP 8 0 97 98 111\r\n",
		"a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:97 speex/16000\r\na=rtpmap:98 speex/8000\r\na=rtpmap:111 opus/48000/2\r\n",
		"m=video 31024 RTP/AVP 112 113\r\n", "m=video 31024 RTP/AVP 112 113 96\r\n",
		"a=fmtp:113 packetization-mode=0; profile-level-id=420020\r\n", "a=fmtp:113 packetization-mode=0; profile-level-id=420020\r\na=rtpmap:96 VP8/90000\r\n",
	).Replace(specOffer)
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	// Read back as an answer, every offered codec is receivable.
	a, err := ParseAnswer(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Audio.Codecs {
		if !Receivable(c, false) {
			t.Errorf("audio %+v not receivable", c)
		}
	}
	for _, c := range a.Video.Codecs {
		if !Receivable(c, true) {
			t.Errorf("video %+v not receivable", c)
		}
	}
}

func TestOfferCodecListsWithTelephoneEvent(t *testing.T) {
	o := specLikeOffer()
	o.AudioCodecs, o.TelephoneEvent = []OfferCodec{CodecOpus, CodecPCMU}, true
	b, err := o.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "m=audio 31022 RTP/AVP 111 0 101\r\nc=IN IP4 46.101.139.106\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=rtpmap:101 telephone-event/8000\r\n") {
		t.Fatalf("got\n%s", b)
	}
}

func TestChoose(t *testing.T) {
	cases := []struct {
		name  string
		media string
		video bool
		want  string // "PT NAME", or "" for none
	}{
		{"first receivable wins", "m=audio 4000 RTP/AVP 18 111 0\r\na=rtpmap:111 opus/48000/2\r\n", false, "111 OPUS"},
		{"renumbered opus", "m=audio 4000 RTP/AVP 120\r\na=rtpmap:120 OPUS/48000/2\r\n", false, "120 OPUS"},
		{"opus at another rate is not opus", "m=audio 4000 RTP/AVP 120 8\r\na=rtpmap:120 opus/16000\r\n", false, "8 PCMA"},
		{"speex narrowband", "m=audio 4000 RTP/AVP 98\r\na=rtpmap:98 speex/8000\r\n", false, "98 SPEEX"},
		{"speex ultra-wideband is refused", "m=audio 4000 RTP/AVP 99 0\r\na=rtpmap:99 speex/32000\r\n", false, "0 PCMU"},
		{"telephone-event only", "m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n", false, ""},
		{"VP8 renumbered", "m=video 4000 RTP/AVP 100\r\na=rtpmap:100 VP8/90000\r\n", true, "100 VP8"},
		{"H.264 mode 2 skipped for mode 0", "m=video 4000 RTP/AVP 97 99\r\na=rtpmap:97 H264/90000\r\na=fmtp:97 packetization-mode=2\r\na=rtpmap:99 H264/90000\r\n", true, "99 H264"},
		{"H.264 high accepted", "m=video 4000 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\na=fmtp:99 profile-level-id=640028;packetization-mode=1\r\n", true, "99 H264"},
		{"H.264 high 4:4:4 refused", "m=video 4000 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\na=fmtp:99 profile-level-id=f4001f;packetization-mode=1\r\n", true, ""},
		{"a video codec on the audio line", "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n", false, ""},
		{"an audio codec on the video line", "m=video 4000 RTP/AVP 0\r\n", true, ""},
	}
	for _, tc := range cases {
		a, err := ParseAnswer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n" + tc.media))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		m := a.Audio
		if tc.video {
			m = a.Video
		}
		c, ok := m.Choose(tc.video)
		got := ""
		if ok {
			got = strconv.Itoa(int(c.PayloadType)) + " " + c.Name
		}
		if got != tc.want {
			t.Errorf("%s: chose %q, want %q", tc.name, got, tc.want)
		}
	}
	var nilMedia *Media
	if _, ok := nilMedia.Choose(true); ok {
		t.Error("nil media")
	}
}
