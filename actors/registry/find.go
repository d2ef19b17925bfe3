package registry

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/protocol/callapi"
)

func (a *Actor) handleFind(ctx actor.Context, m *FindCalls) {
	if id, ok := onlyCallID(m.Filter); ok {
		// The clients' poll ({"callId"} every 3 s per call): a map lookup, not a scan.
		var out []callapi.Call
		if e := a.calls[id]; e != nil {
			out = append(out, e.call.Clone())
		}
		ctx.Respond(&FindCallsResponse{Calls: out})
		return
	}
	matches := make([]*entry, 0, len(a.calls))
	for _, e := range a.calls {
		if matchAll(e.call, m.Filter) {
			matches = append(matches, e)
		}
	}
	sort.Slice(matches, func(i, j int) bool { return matches[i].seq < matches[j].seq })
	out := make([]callapi.Call, len(matches))
	for i, e := range matches {
		out[i] = e.call.Clone()
	}
	ctx.Respond(&FindCallsResponse{Calls: out})
}

// matchAll compares every filter entry with the call object's field of that JSON name. Values
// compare as text, so {"sipStatus":"200"} and {"hasAudio":"true"} match as clients send them. A
// null filter value constrains nothing; a name the call object does not have matches nothing.
func matchAll(c callapi.Call, filter map[string]any) bool {
	if len(filter) == 0 {
		return true
	}
	var fields map[string]any
	for k, want := range filter {
		if want == nil {
			continue
		}
		if got, ok := directField(c, k); ok {
			if text(got) != text(want) {
				return false
			}
			continue
		}
		if fields == nil {
			fields = callFields(c)
		}
		got, ok := fields[k]
		if !ok || got == nil || text(got) != text(want) {
			return false
		}
	}
	return true
}

func callFields(c callapi.Call) map[string]any {
	b, err := json.Marshal(c)
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	return m
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case float64:
		return fmt.Sprintf("%g", t)
	default:
		return fmt.Sprint(t)
	}
}

// onlyCallID reports whether the filter is a lone callId.
func onlyCallID(filter map[string]any) (string, bool) {
	if len(filter) != 1 {
		return "", false
	}
	id, ok := filter["callId"].(string)
	return strings.TrimSpace(id), ok
}

// directField reads the fields filters use most without marshalling the whole call object.
func directField(c callapi.Call, name string) (any, bool) {
	switch name {
	case "callId":
		return c.CallID, true
	case "status":
		return c.Status, true
	}
	return nil, false
}
