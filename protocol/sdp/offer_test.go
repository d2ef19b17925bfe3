package sdp

import (
	"errors"
	"strings"
	"testing"
)

// specOffer is the offer shown in the spec (shared/spec/sip-as-rtmp.md),
// with its host name replaced by the address, since the gateway writes
// addresses, with s= equal to the origin, and with one CNAME for both
// streams where the spec has two: RFC 3550 §6.5.1 gives a participant one
// CNAME, which is what lets the receiver synchronise audio and video.
var specOffer = crlf(
	"v=0",
	"o=Flashphoner 0 1437391553771 IN IP4 46.101.139.106",
	"s=Flashphoner",
	"c=IN IP4 46.101.139.106",
	"t=0 0",
	"m=audio 31022 RTP/AVP 8 0",
	"c=IN IP4 46.101.139.106",
	"a=rtpmap:8 PCMA/8000",
	"a=rtpmap:0 PCMU/8000",
	"a=ptime:20",
	"a=rtcp:31023 IN IP4 46.101.139.106",
	"a=sendrecv",
	"a=ssrc:1478013757 cname:rtp/audio/Xg2tlLcX89tTjaji",
	"m=video 31024 RTP/AVP 112 113",
	"c=IN IP4 46.101.139.106",
	"a=rtpmap:112 H264/90000",
	"a=fmtp:112 packetization-mode=1; profile-level-id=420020",
	"a=rtpmap:113 H264/90000",
	"a=fmtp:113 packetization-mode=0; profile-level-id=420020",
	"a=rtcp-fb:* ccm fir",
	"a=rtcp-fb:* nack",
	"a=rtcp-fb:* nack pli",
	"a=rtcp:31025 IN IP4 46.101.139.106",
	"a=sendrecv",
	"a=ssrc:979076678 cname:rtp/audio/Xg2tlLcX89tTjaji",
)

func specLikeOffer() *Offer {
	return &Offer{
		Origin: "Flashphoner", SessionID: 0, SessionVersion: 1437391553771,
		LocalIP: "46.101.139.106", AudioPort: 31022, VideoPort: 31024,
		AudioSendRecv: true, VideoSendRecv: true,
		AudioSSRC: 1478013757, VideoSSRC: 979076678,
		CName: "rtp/audio/Xg2tlLcX89tTjaji",
	}
}

func TestOfferMatchesSpec(t *testing.T) {
	b, err := specLikeOffer().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != specOffer {
		t.Fatalf("got\n%s\nwant\n%s", got, specOffer)
	}
}

func TestOfferRecvOnlyIPv6NoVideo(t *testing.T) {
	o := &Offer{SessionID: 5, SessionVersion: 6, LocalIP: "2001:db8::10", AudioPort: 40000}
	b, err := o.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := crlf(
		"v=0",
		"o=sipcast 5 6 IN IP6 2001:db8::10",
		"s=sipcast",
		"c=IN IP6 2001:db8::10",
		"t=0 0",
		"m=audio 40000 RTP/AVP 8 0",
		"c=IN IP6 2001:db8::10",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=ptime:20",
		"a=rtcp:40001 IN IP6 2001:db8::10",
		"a=recvonly",
	)
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
}

func TestOfferMappedIPv4(t *testing.T) {
	b, err := (&Offer{LocalIP: "::ffff:192.0.2.1", AudioPort: 5000}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "c=IN IP4 192.0.2.1\r\n") {
		t.Fatalf("mapped address not written as IPv4:\n%s", b)
	}
}

func TestOfferInvalid(t *testing.T) {
	for name, o := range map[string]Offer{
		"host name":        {LocalIP: "sip.example.com", AudioPort: 5000},
		"unspecified":      {LocalIP: "0.0.0.0", AudioPort: 5000},
		"zone":             {LocalIP: "fe80::1%eth0", AudioPort: 5000},
		"no audio port":    {LocalIP: "192.0.2.1"},
		"audio port 65535": {LocalIP: "192.0.2.1", AudioPort: 65535},
		"video port":       {LocalIP: "192.0.2.1", AudioPort: 5000, VideoPort: -2},
		"origin space":     {Origin: "sip cast", LocalIP: "192.0.2.1", AudioPort: 5000},
		"cname newline":    {LocalIP: "192.0.2.1", AudioPort: 5000, CName: "a\r\na=evil"},
	} {
		if _, err := o.Marshal(); !errors.Is(err, ErrInvalidOffer) {
			t.Errorf("%s: %v, want ErrInvalidOffer", name, err)
		}
	}
}

// Reading the offer back as if it were an answer gives back what it offers.
func TestOfferRoundTrip(t *testing.T) {
	o := specLikeOffer()
	o.VideoSendRecv = false
	b, err := o.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseAnswer(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Audio == nil || a.Video == nil {
		t.Fatalf("missing media: %+v", a)
	}
	au, vi := a.Audio, a.Video
	if au.IP != o.LocalIP || au.Port != o.AudioPort || au.RTCPPort != o.AudioPort+1 || au.Direction != DirSendRecv {
		t.Errorf("audio: %+v", au)
	}
	if vi.IP != o.LocalIP || vi.Port != o.VideoPort || vi.RTCPPort != o.VideoPort+1 || vi.Direction != DirRecvOnly {
		t.Errorf("video: %+v", vi)
	}
	if c, ok := au.First("PCMU", "PCMA"); !ok || c.PayloadType != PTPCMA || c.ClockRate != 8000 {
		t.Errorf("audio codec: %+v", c)
	}
	if len(au.Codecs) != 2 || au.Codecs[1].Name != "PCMU" {
		t.Errorf("audio codecs: %+v", au.Codecs)
	}
	if len(vi.Codecs) != 2 || vi.Codecs[0].PacketizationMode() != 1 || vi.Codecs[1].PacketizationMode() != 0 {
		t.Errorf("video codecs: %+v", vi.Codecs)
	}
	if len(vi.RTCPFb) != 3 {
		t.Errorf("rtcp-fb: %v", vi.RTCPFb)
	}
}

func BenchmarkParseAnswer(b *testing.B) {
	body := []byte(answerCases[1].sdp)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseAnswer(body); err != nil {
			b.Fatal(err)
		}
	}
}
