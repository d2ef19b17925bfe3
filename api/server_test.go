package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// fakeCalls stands in for the engine: the API's own logic (decoding, status codes, error JSON)
// is what these tests are about. The engine is tested in actors/engine, the whole in cmd/sipcast.
type fakeCalls struct {
	calls      map[string]callapi.Call
	lastFilter map[string]any
	dtmf       []string // "callId digits type" of each SendDTMF
	down       bool     // the engine does not answer
}

func (f *fakeCalls) StartCall(_ context.Context, s callapi.Startup) (callapi.Call, error) {
	if _, ok := f.calls[s.CallID]; ok {
		return callapi.Call{}, fmt.Errorf("%w: callId", callapi.ErrConflict)
	}
	c := callapi.Call{CallID: s.CallID, Status: callapi.StatusPending, Callee: callapi.Str(s.Callee)}
	f.calls[s.CallID] = c
	return c, nil
}

func (f *fakeCalls) Find(_ context.Context, filter map[string]any) ([]callapi.Call, error) {
	if f.down {
		return nil, fmt.Errorf("%w: timeout", callapi.ErrUnavailable)
	}
	f.lastFilter = filter
	var out []callapi.Call
	for _, c := range f.calls {
		if id, ok := filter["callId"]; !ok || id == c.CallID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeCalls) Terminate(_ context.Context, id string) error {
	if _, ok := f.calls[id]; !ok {
		return fmt.Errorf("%w: %s", callapi.ErrNotFound, id)
	}
	delete(f.calls, id)
	return nil
}

func (f *fakeCalls) SendDTMF(_ context.Context, id, digits, kind string) (string, error) {
	c, ok := f.calls[id]
	switch {
	case !ok:
		return "", fmt.Errorf("%w: %s", callapi.ErrNotFound, id)
	case c.Status != callapi.StatusEstablished:
		return "", fmt.Errorf("%w: status %s", callapi.ErrNotEstablished, c.Status)
	case kind == DTMFRFC2833 && c.Callee != nil && *c.Callee == "no-te":
		return DTMFInband, nil
	case c.Callee != nil && *c.Callee == "no-way":
		return "", fmt.Errorf("%w: no audio from sipcast, no INFO", callapi.ErrDTMFNotNegotiated)
	case kind == DTMFInfo && c.Callee != nil && *c.Callee == "refuses-info":
		return "", fmt.Errorf("%w: SIP 415", callapi.ErrDTMFFailed)
	}
	f.dtmf = append(f.dtmf, id+" "+digits+" "+kind)
	return kind, nil
}

func newFake() *fakeCalls {
	return &fakeCalls{calls: map[string]callapi.Call{
		"existing": {CallID: "existing", Status: callapi.StatusEstablished},
		"ringing":  {CallID: "ringing", Status: callapi.StatusRing},
		"no-te":    {CallID: "no-te", Status: callapi.StatusEstablished, Callee: callapi.Str("no-te")},
		"no-way":   {CallID: "no-way", Status: callapi.StatusEstablished, Callee: callapi.Str("no-way")},
		"refuses":  {CallID: "refuses", Status: callapi.StatusEstablished, Callee: callapi.Str("refuses-info")},
	}}
}

type apiCase struct {
	name     string
	method   string
	path     string
	body     string
	want     int
	wantBody string // substring
}

var apiCases = []apiCase{
	{"startup ok, array answer", "POST", "/rest-api/call/startup", `{"callId":"c1","callee":"a","sipDomain":"h"}`, 200, `[{"custom":null`},
	{"startup duplicate", "POST", "/rest-api/call/startup", `{"callId":"existing","callee":"a","sipDomain":"h"}`, 409, `"status":409`},
	{"startup malformed", "POST", "/rest-api/call/startup", `{`, 400, `"error":"Bad Request"`},
	{"startup missing callee", "POST", "/rest-api/call/startup", `{"sipDomain":"h"}`, 400, `callee`},
	{"startup reserved login", "POST", "/rest-api/call/startup", `{"callee":"a","sipDomain":"h","sipLogin":"<x>"}`, 400, `"message":"SIP login or authentication name contains reserved symbols"`},
	{"find hit", "POST", "/rest-api/call/find", `{"callId":"existing"}`, 200, `"callId":"existing"`},
	{"find miss", "POST", "/rest-api/call/find", `{"callId":"nope"}`, 404, `"path":"/rest-api/call/find"`},
	{"find not an object", "POST", "/rest-api/call/find", `[1]`, 400, `JSON object`},
	{"find_all", "POST", "/rest-api/call/find_all", ``, 200, `existing`},
	{"terminate ok", "POST", "/rest-api/call/terminate", `{"callId":"existing"}`, 200, ``},
	{"terminate unknown", "POST", "/rest-api/call/terminate", `{"callId":"nope"}`, 404, `"exception":"sipcast.rest.NotFoundException"`},
	{"terminate no id", "POST", "/rest-api/call/terminate", `{}`, 400, `callId`},
	{"terminate numeric id", "POST", "/rest-api/call/terminate", `{"callId":12}`, 404, `not found: 12`},
	{"terminate id of wrong type", "POST", "/rest-api/call/terminate", `{"callId":{}}`, 400, `wrong type`},
	{"dtmf rfc2833", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"9","type":"RFC2833"}`, 200, `{"callId":"existing","dtmf":"9","type":"RFC2833"}`},
	{"dtmf info, lower case", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"12*#abcd","type":"info"}`, 200, `"type":"INFO"`},
	{"dtmf inband asked", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"7","type":"inband"}`, 200, `"type":"INBAND"`},
	{"dtmf default type, number", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":5}`, 200, `"type":"RFC2833"`},
	{"dtmf unknown call", "POST", "/rest-api/call/send_dtmf", `{"callId":"nope","dtmf":"1"}`, 404, `"status":404`},
	{"dtmf not established", "POST", "/rest-api/call/send_dtmf", `{"callId":"ringing","dtmf":"1"}`, 400, `not established`},
	{"dtmf bad digit", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"12E"}`, 400, `invalid digit`},
	{"dtmf space", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"1 2"}`, 400, `invalid digit`},
	{"dtmf too long", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"123456789012345678901234567890123"}`, 400, `too many digits`},
	{"dtmf no digits", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing"}`, 400, `dtmf`},
	{"dtmf no callId", "POST", "/rest-api/call/send_dtmf", `{"dtmf":"1"}`, 400, `callId`},
	{"dtmf bad type", "POST", "/rest-api/call/send_dtmf", `{"callId":"existing","dtmf":"1","type":"SIP"}`, 400, `type`},
	{"dtmf without telephone-event goes in-band", "POST", "/rest-api/call/send_dtmf", `{"callId":"no-te","dtmf":"1"}`, 200, `"type":"INBAND"`},
	{"dtmf no way to the device", "POST", "/rest-api/call/send_dtmf", `{"callId":"no-way","dtmf":"1"}`, 400, `DTMF cannot reach the device: no audio from sipcast, no INFO`},
	{"dtmf device refuses", "POST", "/rest-api/call/send_dtmf", `{"callId":"refuses","dtmf":"1","type":"INFO"}`, 502, `"exception":"sipcast.rest.BadGatewayException"`},
	{"healthz", "GET", "/healthz", ``, 200, `{"status":"UP"}`},
	{"openapi", "GET", "/rest-api/openapi.json", ``, 200, `"openapi": "3.0.3"`},
	{"metrics", "GET", "/metrics", ``, 200, `sipcast_calls{status="ESTABLISHED"} 4`},
	{"events disabled", "GET", "/rest-api/events", ``, 404, `not enabled`},
	{"startup by GET", "GET", "/rest-api/call/startup", ``, 404, `no such method`},
	{"preflight", "OPTIONS", "/rest-api/call/startup", ``, 204, ``},
	{"unknown route", "POST", "/rest-api/nope", `{}`, 404, `no such method`},
}

func TestAPI(t *testing.T) {
	for _, tc := range apiCases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			app := New(Config{Now: func() time.Time { return time.UnixMilli(1559029484840) }}, fake)
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.want || !strings.Contains(string(b), tc.wantBody) {
				t.Fatalf("%d %s, want %d with %q", res.StatusCode, b, tc.want, tc.wantBody)
			}
			if res.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatal("no CORS header")
			}
			if ct := res.Header.Get("Content-Type"); len(b) > 0 && tc.path != "/metrics" && !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			if res.StatusCode >= 400 {
				var e ErrorBody
				if err := json.Unmarshal(b, &e); err != nil || e.Status != res.StatusCode || e.Timestamp != 1559029484840 ||
					e.Error != http.StatusText(res.StatusCode) || e.Path != tc.path {
					t.Fatalf("error body %s", b)
				}
			}
		})
	}
}

// The body limit is enforced by the HTTP server itself, before routing: test it on a real socket.
func TestBodyLimit(t *testing.T) {
	app := New(Config{BodyLimit: 1024}, &fakeCalls{calls: map[string]callapi.Call{}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	body := `{"callee":"` + strings.Repeat("a", 4096) + `"}`
	res, err := http.Post("http://"+ln.Addr().String()+"/rest-api/call/startup", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
}
