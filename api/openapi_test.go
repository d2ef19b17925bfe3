package api

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// withPushes is the fake engine with the /push methods too, so every route is registered.
type withPushes struct{ *fakeCalls }

func (withPushes) StartPush(context.Context, callapi.PushStart, *frame.Sound) (callapi.Push, error) {
	return callapi.Push{}, nil
}

func (withPushes) FindPushes(context.Context, string, string) ([]callapi.Push, error) {
	return nil, nil
}

func (withPushes) PushCommand(context.Context, string, callapi.PushOp, *frame.Sound) (callapi.Push, error) {
	return callapi.Push{}, nil
}

// noWHEP registers the WHEP routes.
type noWHEP struct{}

func (noWHEP) Offer(context.Context, string, []byte) (string, string, error) { return "", "", nil }
func (noWHEP) Delete(context.Context, string, string) error                  { return nil }

// noHLS registers the HLS route.
type noHLS struct{}

func (noHLS) Serve(string, http.ResponseWriter, *http.Request) error { return nil }

// openapi.json describes exactly the routes the app registers, each operation with its answers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			var o struct {
				Responses map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || len(o.Responses) == 0 {
				t.Errorf("%s %s: no responses", method, path)
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	app := New(Config{WHEP: noWHEP{}, HLS: noHLS{}, Pages: true}, withPushes{newFake()})
	registered := map[string]bool{}
	param := regexp.MustCompile(`:([a-z]+)`)
	for _, r := range app.GetRoutes(true) {
		if r.Method == "HEAD" {
			continue // Fiber adds HEAD to every GET
		}
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("openapi.json documents %s, which is not a route", k)
		}
	}
	if t.Failed() {
		keys := make([]string, 0, len(registered))
		for k := range registered {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("registered: %s", strings.Join(keys, ", "))
	}
}
