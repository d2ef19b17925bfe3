package sdp

import "strings"

// answerCase is one SDP answer and what ParseAnswer must make of it. The
// table is shared by the unit tests and the fuzz target's seeds.
type answerCase struct {
	name    string
	sdp     string
	want    *Answer
	wantErr error
}

// manyLines is an answer of n m= lines: one audio line, then refused application lines.
func manyLines(n int) string {
	lines := []string{"v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 4000 RTP/AVP 8"}
	for range n - 1 {
		lines = append(lines, "m=application 0 UDP/BFCP *")
	}
	return crlf(lines...)
}

// crlf joins lines the way SIP bodies are written.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

var answerCases = []answerCase{
	{
		name: "SIPp-like, LF endings, audio only, static PT without rtpmap",
		sdp: "v=0\no=user1 53655765 2353687637 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n" +
			"m=audio 6000 RTP/AVP 0\n",
		want: &Answer{Audio: &Media{
			IP: "127.0.0.1", Port: 6000, RTCPIP: "127.0.0.1", RTCPPort: 6001, Direction: DirSendRecv,
			Codecs: []Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}},
		}},
	},
	{
		name: "baresip-like with dynamic H264 and sprop-parameter-sets",
		sdp: crlf(
			"v=0",
			"o=- 1418419426 2806034349 IN IP4 192.168.1.20",
			"s=-",
			"c=IN IP4 192.168.1.20",
			"t=0 0",
			"a=tool:baresip 3.10.1",
			"m=audio 10104 RTP/AVP 8 101",
			"b=AS:64",
			"a=rtpmap:8 PCMA/8000",
			"a=rtpmap:101 telephone-event/8000",
			"a=fmtp:101 0-15",
			"a=sendrecv",
			"a=label:1",
			"a=rtcp-rsize",
			"a=ssrc:1617453043 cname:bcf9b8ac-9c7f-4d29-8f0a-2b4c0b1ec1c0",
			"m=video 10106 RTP/AVP 96",
			"b=AS:2000",
			"a=rtpmap:96 H264/90000",
			"a=fmtp:96 packetization-mode=1;profile-level-id=42c01f;sprop-parameter-sets=Z0LAH9oBQBbo,aM48gA==",
			"a=rtcp-fb:* nack pli",
			"a=rtcp-fb:* ccm fir",
			"a=sendrecv",
			"a=label:2",
		),
		want: &Answer{
			Audio: &Media{
				IP: "192.168.1.20", Port: 10104, RTCPIP: "192.168.1.20", RTCPPort: 10105, Direction: DirSendRecv,
				Codecs: []Codec{
					{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1},
					{PayloadType: 101, Name: "TELEPHONE-EVENT", ClockRate: 8000, Channels: 1, Fmtp: "0-15"},
				},
			},
			Video: &Media{
				IP: "192.168.1.20", Port: 10106, RTCPIP: "192.168.1.20", RTCPPort: 10107, Direction: DirSendRecv,
				Codecs: []Codec{{
					PayloadType: 96, Name: "H264", ClockRate: 90000,
					Fmtp: "packetization-mode=1;profile-level-id=42c01f;sprop-parameter-sets=Z0LAH9oBQBbo,aM48gA==",
				}},
				RTCPFb: []string{"* nack pli", "* ccm fir"},
			},
		},
	},
	{
		name: "Linphone-like, session-level c=, a=rtcp without address, per-PT rtcp-fb",
		sdp: crlf(
			"v=0",
			"o=alice 2213 3151 IN IP4 10.0.0.7",
			"s=Talk",
			"c=IN IP4 10.0.0.7",
			"t=0 0",
			"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
			"m=audio 7078 RTP/AVP 0 8",
			"a=rtcp:7079",
			"a=rtcp-fb:* trr-int 1000",
			"m=video 9078 RTP/AVP 112",
			"a=rtpmap:112 H264/90000",
			"a=fmtp:112 profile-level-id=42801F; packetization-mode=1",
			"a=rtcp:9079",
			"a=rtcp-fb:112 nack pli",
			"a=rtcp-fb:112 ccm fir",
			"a=recvonly",
		),
		want: &Answer{
			Audio: &Media{
				IP: "10.0.0.7", Port: 7078, RTCPIP: "10.0.0.7", RTCPPort: 7079, Direction: DirSendRecv,
				Codecs: []Codec{
					{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1},
					{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1},
				},
				RTCPFb: []string{"* trr-int 1000"},
			},
			Video: &Media{
				IP: "10.0.0.7", Port: 9078, RTCPIP: "10.0.0.7", RTCPPort: 9079, Direction: DirRecvOnly,
				Codecs: []Codec{{PayloadType: 112, Name: "H264", ClockRate: 90000, Fmtp: "profile-level-id=42801F; packetization-mode=1"}},
				RTCPFb: []string{"112 nack pli", "112 ccm fir"},
			},
		},
	},
	{
		name: "video rejected with port 0",
		sdp: crlf(
			"v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "t=0 0",
			"m=audio 4000 RTP/AVP 8", "c=IN IP4 192.0.2.5", "a=sendonly",
			"m=video 0 RTP/AVP 112",
		),
		want: &Answer{Audio: &Media{
			IP: "192.0.2.5", Port: 4000, RTCPIP: "192.0.2.5", RTCPPort: 4001, Direction: DirSendOnly,
			Codecs: []Codec{{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1}},
		}},
	},
	{
		name: "IPv6 with a=rtcp address, session-level direction overridden",
		sdp: crlf(
			"v=0", "o=- 7 7 IN IP6 2001:db8::1", "s=-", "c=IN IP6 2001:db8::1", "t=0 0",
			"a=inactive",
			"m=audio 5004 RTP/AVP 0", "a=rtcp:5999 IN IP6 2001:db8::2", "a=sendrecv",
			"m=video 5006 RTP/AVP 113", "a=rtpmap:113 h264/90000", "a=fmtp:113 packetization-mode=0; profile-level-id=420020",
		),
		want: &Answer{
			Audio: &Media{
				IP: "2001:db8::1", Port: 5004, RTCPIP: "2001:db8::2", RTCPPort: 5999, Direction: DirSendRecv,
				Codecs: []Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}},
			},
			Video: &Media{
				IP: "2001:db8::1", Port: 5006, RTCPIP: "2001:db8::1", RTCPPort: 5007, Direction: DirInactive,
				Codecs: []Codec{{PayloadType: 113, Name: "H264", ClockRate: 90000, Fmtp: "packetization-mode=0; profile-level-id=420020"}},
			},
		},
	},
	{
		name: "no final line ending, multicast TTL, duplicate PT, stray rtpmap",
		sdp: "v=0\r\no=- 1 1 IN IP4 233.252.0.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 8 8 97\r\n" +
			"c=IN IP4 233.252.0.1/127\r\na=rtpmap:99 broken\r\na=rtpmap:97 opus/48000/2",
		want: &Answer{Audio: &Media{
			IP: "233.252.0.1", Port: 5000, RTCPIP: "233.252.0.1", RTCPPort: 5001, Direction: DirSendRecv,
			Codecs: []Codec{
				{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1},
				{PayloadType: 97, Name: "OPUS", ClockRate: 48000, Channels: 2},
			},
		}},
	},
	{name: "empty", sdp: "", wantErr: ErrMalformed},
	{name: "not SDP", sdp: "SIP/2.0 200 OK\r\n", wantErr: ErrMalformed},
	{name: "truncated before m=", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-"), wantErr: ErrNoMedia},
	{name: "every stream rejected", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 0 RTP/AVP 8", "m=video 0 RTP/AVP 112"), wantErr: ErrNoMedia},
	{name: "no connection address", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 8"), wantErr: ErrMalformed},
	{name: "non-numeric payload type", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 4000 RTP/AVP PCMU"), wantErr: ErrMalformed},
	{name: "payload type above 127", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 4000 RTP/AVP 200"), wantErr: ErrMalformed},
	{name: "bad a=rtcp port", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 4000 RTP/AVP 8", "a=rtcp:70000"), wantErr: ErrMalformed},
	{name: "bad a=rtcp address", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 4000 RTP/AVP 8", "a=rtcp:4001 IN"), wantErr: ErrMalformed},
	{name: "bad rtpmap clock rate", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=video 4000 RTP/AVP 96", "a=rtpmap:96 H264/fast"), wantErr: ErrMalformed},
	{name: "too many codecs", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0",
		"m=audio 4000 RTP/AVP 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32"), wantErr: ErrTooManyCodecs},
	{name: "RTP port leaves no RTCP port", sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 65535 RTP/AVP 8"), wantErr: ErrMalformed},
	// ParseAnswer shares the re-offer's bound on m= lines: a hostile answer of thousands of lines
	// must not get per-line parsing the offer path refuses.
	{name: "m= lines at the limit", sdp: manyLines(MaxMediaLines), want: &Answer{Audio: &Media{
		IP: "192.0.2.5", Port: 4000, RTCPIP: "192.0.2.5", RTCPPort: 4001, Direction: DirSendRecv,
		Codecs: []Codec{{PayloadType: 8, Name: NamePCMA, ClockRate: 8000, Channels: 1}},
	}}},
	{name: "too many m= lines", sdp: manyLines(MaxMediaLines + 1), wantErr: ErrMalformed},
	{name: "too large", sdp: "v=0\r\n" + strings.Repeat("a=x\r\n", MaxSDPSize/5), wantErr: ErrTooLarge},
}
