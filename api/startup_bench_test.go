package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// BenchmarkStartupHandler is POST /rest-api/call/startup through the whole Fiber app (routing,
// middleware, body decoding and validation, the JSON answer) against the fake engine, called
// in memory: no socket, so what remains is the REST layer's own cost per call.
func BenchmarkStartupHandler(b *testing.B) {
	calls := &fakeCalls{calls: map[string]callapi.Call{}}
	app := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, calls)
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		id := fmt.Sprintf("c%d", i)
		i++
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod(http.MethodPost)
		ctx.Request.SetRequestURI("/rest-api/call/startup")
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBodyString(`{"callId":"` + id + `","callee":"alice","sipDomain":"127.0.0.1","sipPort":"5070",` +
			`"sipLogin":"gw","rtmpUrl":"rtmp://127.0.0.1:1935/live","rtmpStream":"` + id + `","hasAudio":"true","hasVideo":"true"}`)
		h(&ctx)
		if code := ctx.Response.StatusCode(); code != http.StatusOK {
			b.Fatalf("status %d: %s", code, ctx.Response.Body())
		}
		delete(calls.calls, id)
	}
}
