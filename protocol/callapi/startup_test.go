package callapi

import (
	"errors"
	"strings"
	"testing"
)

// specBody is the /call/startup body exactly as the spec shows it.
const specBody = `{
  "callId": "123456711", "callee": "10000", "toStream": "stream1",
  "rtmpUrl": "rtmp://localhost:1935/live1", "rtmpStream": "rtmp_stream1",
  "hasAudio": "true", "hasVideo": "true", "sipLogin": "10009", "sipAuthenticationName": "10009",
  "sipPassword": "1234", "sipDomain": "226.226.225.226", "sipOutboundProxy": "226.226.225.226",
  "sipPort": "5060", "appKey": "defaultApp", "sipRegisterRequired": "false"}`

// demoBody is what the original's browser demo sends: form strings, some empty, no rtmpUrl.
const demoBody = `{"callId":"aB3dE5f-Gh7jK9l-Mn1pQ3r-St5vW7x","callee":"alice","toStream":"call_stream1",
  "hasAudio":"true","hasVideo":"false","sipLogin":"gw","sipAuthenticationName":"","sipPassword":"",
  "sipPort":"","sipDomain":"127.0.0.1","sipOutboundProxy":"","appKey":"defaultApp","sipRegisterRequired":"false"}`

type startupCase struct {
	name    string
	body    string
	wantErr error
	check   func(t *testing.T, s Startup)
}

var startupCases = []startupCase{
	{name: "spec example", body: specBody, check: func(t *testing.T, s Startup) {
		if s.CallID != "123456711" || s.Callee != "10000" || s.SIPPort != 5060 || !s.HasAudio || !s.HasVideo ||
			s.RegisterRequired || s.RTMP == nil || s.RTMP.Stream != "rtmp_stream1" || s.SIPAuthName != "10009" {
			t.Fatalf("parsed %+v", s)
		}
	}},
	{name: "demo client: strings, empties, no rtmpUrl", body: demoBody, check: func(t *testing.T, s Startup) {
		if s.RTMP != nil || s.HasVideo || !s.HasAudio || s.SIPPort != 5060 || s.SIPOutboundProxy != "" ||
			s.SIPAuthName != "gw" || s.ToStream != "call_stream1" {
			t.Fatalf("parsed %+v", s)
		}
	}},
	{name: "native JSON types", body: `{"callee":"a","sipDomain":"example.com","hasAudio":false,"hasVideo":true,"sipPort":5070,"sipRegisterRequired":true}`,
		check: func(t *testing.T, s Startup) {
			if s.HasAudio || !s.HasVideo || s.SIPPort != 5070 || !s.RegisterRequired {
				t.Fatalf("parsed %+v", s)
			}
		}},
	{name: "callId made when absent, toStream defaults to it", body: `{"callee":"a","sipDomain":"h"}`,
		check: func(t *testing.T, s Startup) {
			if strings.Count(s.CallID, "-") != 3 || len(s.CallID) != 31 || s.ToStream != s.CallID {
				t.Fatalf("callId %q toStream %q", s.CallID, s.ToStream)
			}
		}},
	{name: "rtmpStream defaults to toStream", body: `{"callee":"a","sipDomain":"h","toStream":"ts","rtmpUrl":"rtmp://h/live"}`,
		check: func(t *testing.T, s Startup) {
			if s.RTMP == nil || s.RTMP.Stream != "ts" {
				t.Fatalf("rtmp %+v", s.RTMP)
			}
		}},
	{name: "unknown fields ignored", body: `{"callee":"a","sipDomain":"h","whatever":[1,2]}`},
	{name: "malformed JSON", body: `{"callee":`, wantErr: ErrWrongType},
	{name: "not an object", body: `[1]`, wantErr: ErrWrongType},
	{name: "bool of wrong type", body: `{"callee":"a","sipDomain":"h","hasAudio":{}}`, wantErr: ErrWrongType},
	{name: "bool string not true/false", body: `{"callee":"a","sipDomain":"h","hasAudio":"yes"}`, wantErr: ErrWrongType},
	{name: "callee of wrong type", body: `{"callee":["a"],"sipDomain":"h"}`, wantErr: ErrWrongType},
	{name: "missing callee", body: `{"sipDomain":"h"}`, wantErr: ErrMissing},
	{name: "empty callee", body: `{"callee":"  ","sipDomain":"h"}`, wantErr: ErrMissing},
	{name: "missing sipDomain", body: `{"callee":"a"}`, wantErr: ErrMissing},
	{name: "bad sipDomain", body: `{"callee":"a","sipDomain":"a b"}`, wantErr: ErrInvalid},
	{name: "login with space and @ (spec known problem 3)", body: `{"callee":"a","sipDomain":"h","sipLogin":"Ralf C12441@host.com"}`, wantErr: ErrInvalid},
	{name: "login in angle brackets", body: `{"callee":"a","sipDomain":"h","sipLogin":"<ralf>"}`, wantErr: ErrInvalid},
	{name: "auth name with colon", body: `{"callee":"a","sipDomain":"h","sipAuthenticationName":"a:b"}`, wantErr: ErrInvalid},
	{name: "escaped login accepted", body: `{"callee":"a","sipDomain":"h","sipLogin":"Ralf%20C"}`},
	{name: "bad port text", body: `{"callee":"a","sipDomain":"h","sipPort":"abc"}`, wantErr: ErrInvalid},
	{name: "port out of range", body: `{"callee":"a","sipDomain":"h","sipPort":70000}`, wantErr: ErrInvalid},
	{name: "unparsable rtmpUrl", body: `{"callee":"a","sipDomain":"h","rtmpUrl":"http://h/live","rtmpStream":"s"}`, wantErr: ErrInvalid},
	{name: "rtmpStream without rtmpUrl", body: `{"callee":"a","sipDomain":"h","rtmpStream":"s"}`, wantErr: ErrInvalid},
	{name: "outbound proxy host:port", body: `{"callee":"a","sipDomain":"h","sipOutboundProxy":"10.0.0.1:5080"}`},
	{name: "bad outbound proxy", body: `{"callee":"a","sipDomain":"h","sipOutboundProxy":"p:x"}`, wantErr: ErrInvalid},
	{name: "callId with space", body: `{"callId":"a b","callee":"a","sipDomain":"h"}`, wantErr: ErrInvalid},
	{name: "oversized field", body: `{"callee":"a","sipDomain":"h","toStream":"` + strings.Repeat("x", 600) + `"}`, wantErr: ErrInvalid},
}

func TestParseStartup(t *testing.T) {
	for _, tc := range startupCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseStartup([]byte(tc.body))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestReservedSymbolsMessage(t *testing.T) {
	_, err := ParseStartup([]byte(`{"callee":"a","sipDomain":"h","sipLogin":"Ralf C12441@host.com"}`))
	if err == nil || !strings.Contains(err.Error(), MsgReservedSymbols) {
		t.Fatalf("err = %v, want the spec's message", err)
	}
}

func FuzzParseStartup(f *testing.F) {
	for _, tc := range startupCases {
		f.Add([]byte(tc.body))
	}
	for _, c := range hostileCases {
		f.Add(hostileBody(c.field, c.value))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		orig := string(body)
		s, err := ParseStartup(body)
		if string(body) != orig {
			t.Fatal("input mutated")
		}
		if err != nil {
			if !errors.Is(err, ErrWrongType) && !errors.Is(err, ErrMissing) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if s.Callee == "" || s.SIPDomain == "" || s.CallID == "" || s.ToStream == "" || s.SIPPort < 1 || s.SIPPort > 65535 {
			t.Fatalf("invalid result accepted: %+v", s)
		}
		if !ValidSIPUser(s.Callee) || (s.SIPLogin != "" && !ValidSIPUser(s.SIPLogin)) {
			t.Fatalf("bad SIP user accepted: %+v", s)
		}
		checkSIPSafe(t, s)
	})
}
