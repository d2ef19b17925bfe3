package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// malformedBodies are bodies a careless or hostile client sends. No route may answer them with a
// 5xx or crash; each gets a 4xx with the spec's error JSON (or, for a body that happens to be
// acceptable, a 2xx). They also seed FuzzRequestDecoding.
var malformedBodies = []string{
	``, ` `, `{`, `}`, `[`, `[]`, `[{}]`, `null`, `true`, `0`, `"x"`, `{"a":}`, `{"callId":}`,
	`{"callId":null}`, `{"callId":[]}`, `{"callId":{}}`, `{"callId":true}`, `{"callId":1e400}`,
	`{"callee":1,"sipDomain":2}`, `{"callee":"a","sipDomain":"h","hasAudio":"maybe"}`,
	`{"callee":"a","sipDomain":"h","hasAudio":2}`, `{"callee":"a","sipDomain":"h","sipPort":"99999"}`,
	`{"callee":"a","sipDomain":"h","sipPort":-1}`, `{"callee":"a","sipDomain":"h","sipPort":{}}`,
	`{"callee":"a","sipDomain":"h","rtmpUrl":"rtmp://"}`, `{"callee":"a","sipDomain":"h","rtmpUrl":"rtmp://h/"}`,
	`{"callee":"a b","sipDomain":"h"}`, `{"callee":"a","sipDomain":"h h"}`, `{"callee":"a","sipDomain":"h","callId":"a<b>"}`,
	`{"callee":"` + strings.Repeat("a", 600) + `","sipDomain":"h"}`, `{"status":{"$ne":1}}`, `{"callId":"existing","dtmf":[]}`,
	`{"callId":"existing","dtmf":"\u0000"}`, `{"callId":"existing","dtmf":"1","type":5}`, `{"callId":"existing","dtmf":"1","type":null}`,
	"\xff\xfe{}", `{"callId":"\ud800"}`, `{"a":1,"a":2}`, strings.Repeat(`[`, 10000), `{"callId":"existing"` + strings.Repeat(` `, 1000) + `}`,
}

var postRoutes = []string{"/rest-api/call/startup", "/rest-api/call/find", "/rest-api/call/find_all",
	"/rest-api/call/terminate", "/rest-api/call/send_dtmf"}

func TestMalformedBodies(t *testing.T) {
	app := New(Config{Now: func() time.Time { return time.UnixMilli(1) }}, newFake())
	for _, route := range postRoutes {
		for _, body := range malformedBodies {
			checkNo5xx(t, app.Test, route, body)
		}
	}
}

func checkNo5xx(t *testing.T, do func(*http.Request, ...int) (*http.Response, error), route, body string) {
	t.Helper()
	req := httptest.NewRequest("POST", route, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := do(req, -1)
	if err != nil {
		t.Fatalf("%s %q: %v", route, body, err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		t.Fatalf("%s %.60q: %d %s", route, body, res.StatusCode, b)
	}
	if res.StatusCode >= 400 {
		var e ErrorBody
		if json.Unmarshal(b, &e) != nil || e.Status != res.StatusCode || e.Path != route {
			t.Fatalf("%s %.60q: error body %s", route, body, b)
		}
	}
}

// FuzzRequestDecoding drives every POST route's decoding with arbitrary bodies: never a 5xx,
// never a panic, and the decoders agree with the routes on what is a client error.
func FuzzRequestDecoding(f *testing.F) {
	for _, b := range malformedBodies {
		f.Add(b)
	}
	for _, tc := range apiCases {
		f.Add(tc.body)
	}
	app := New(Config{}, newFake())
	f.Fuzz(func(t *testing.T, body string) {
		// The decoders alone, faster than a request.
		_, _ = callapi.ParseStartup([]byte(body))
		_, _, _, _ = ParseSendDTMF([]byte(body))
		_, _ = decodeObject([]byte(body))
		for _, route := range postRoutes {
			checkNo5xx(t, app.Test, route, body)
		}
	})
}
