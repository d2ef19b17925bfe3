package sdp

import (
	"strings"
	"testing"
)

func TestOfferTelephoneEvent(t *testing.T) {
	o := specLikeOffer()
	o.TelephoneEvent = true
	b, err := o.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(specOffer, "m=audio 31022 RTP/AVP 8 0\r\n", "m=audio 31022 RTP/AVP 8 0 101\r\n", 1),
		"a=ptime:20\r\n", "a=ptime:20\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n", 1)
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
}

func TestAnswerTelephoneEvent(t *testing.T) {
	for name, tc := range map[string]struct {
		media string
		pt    uint8
		ok    bool
	}{
		"accepted, renumbered": {"m=audio 4000 RTP/AVP 0 100\r\na=rtpmap:100 telephone-event/8000\r\na=fmtp:100 0-15\r\n", 100, true},
		"upper case":           {"m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 TELEPHONE-EVENT/8000\r\n", 101, true},
		"other clock only":     {"m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/48000\r\n", 0, false},
		"refused":              {"m=audio 4000 RTP/AVP 0\r\n", 0, false},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := ParseAnswer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n" + tc.media))
			if err != nil {
				t.Fatal(err)
			}
			c, ok := a.Audio.TelephoneEvent(8000)
			if ok != tc.ok || c.PayloadType != tc.pt {
				t.Fatalf("%+v %v", c, ok)
			}
		})
	}
	var none *Media
	if _, ok := none.TelephoneEvent(8000); ok {
		t.Fatal("nil media")
	}
}
