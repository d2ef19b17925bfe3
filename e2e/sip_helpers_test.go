package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Helpers of the SIP signalling tests (sip_*_e2e_test.go): a call placed to a SIPp device, and
// what the event stream says about it.

// rtpPorts is the SIPCAST_RTP_PORTS setting for a gateway that holds calls at once: each takes
// two RTP/RTCP pairs.
func rtpPorts(t *testing.T, calls int) string {
	base := peers.FreeUDPPorts(t, 4*calls)
	return "SIPCAST_RTP_PORTS=" + itoa(base) + "-" + itoa(base+4*calls-1)
}

// placeCall starts a call to a SIPp device and fails the test on anything but 200.
func (g *gateway) placeCall(callID string, sipp *peers.SIPp, extra map[string]any) {
	g.t.Helper()
	body := map[string]any{"callId": callID, "callee": "alice", "sipDomain": "127.0.0.1", "sipPort": sipp.Port,
		"sipLogin": "gw", "hasVideo": "false"}
	for k, v := range extra {
		body[k] = v
	}
	if code, res := g.post("/call/startup", startupBody(body)); code != http.StatusOK {
		g.t.Fatalf("startup %s: %d %s", callID, code, res)
	}
}

// terminate ends a call and fails the test unless it answers 200.
func (g *gateway) terminate(callID string) {
	g.t.Helper()
	if code, res := g.post("/call/terminate", `{"callId":"`+callID+`"}`); code != http.StatusOK {
		g.t.Fatalf("terminate %s: %d %s", callID, code, res)
	}
}

// callEvents follows a call's event stream: its statuses in order, its other events by name.
type callEvents struct {
	t      *testing.T
	src    <-chan sseEvent
	trail  []string // statuses of the CallStatusEvents, consecutive repeats folded
	others []sseEvent
}

func (g *gateway) follow(t *testing.T, callID string) *callEvents {
	return &callEvents{t: t, src: g.subscribe(t, callID)}
}

// until reads events until cond holds over what was read, or fails the test after within.
func (e *callEvents) until(within time.Duration, what string, cond func(*callEvents) bool) {
	e.t.Helper()
	deadline := time.After(within)
	for !cond(e) {
		select {
		case ev, ok := <-e.src:
			if !ok {
				e.t.Fatalf("event stream ended waiting for %s; statuses %v", what, e.trail)
			}
			e.take(ev)
		case <-deadline:
			e.t.Fatalf("%s not seen within %s; statuses %v, other events %d", what, within, e.trail, len(e.others))
		}
	}
}

func (e *callEvents) take(ev sseEvent) {
	if ev.name != "CallStatusEvent" {
		e.others = append(e.others, ev)
		return
	}
	var c callapi.Call
	if err := json.Unmarshal(ev.data, &c); err != nil {
		e.t.Fatalf("CallStatusEvent: %v: %s", err, ev.data)
	}
	if len(e.trail) == 0 || e.trail[len(e.trail)-1] != c.Status {
		e.trail = append(e.trail, c.Status)
	}
}

// untilStatus waits for a status in the trail.
func (e *callEvents) untilStatus(status string, within time.Duration) {
	e.t.Helper()
	e.until(within, "status "+status, func(e *callEvents) bool {
		return len(e.trail) > 0 && e.trail[len(e.trail)-1] == status
	})
}

// dtmf returns the digits of the IncomingDTMFEvents read so far, in order, with their types.
func (e *callEvents) dtmf() (digits string, types []string) {
	for _, ev := range e.others {
		if ev.name != "IncomingDTMFEvent" {
			continue
		}
		var d callapi.IncomingDTMF
		if err := json.Unmarshal(ev.data, &d); err != nil {
			e.t.Fatalf("IncomingDTMFEvent: %v: %s", err, ev.data)
		}
		digits += d.DTMF
		types = append(types, d.Type)
	}
	return digits, types
}

// registrations returns the RegistrationStatusEvents read so far.
func (e *callEvents) registrations() []callapi.Registration {
	var out []callapi.Registration
	for _, ev := range e.others {
		if ev.name != "RegistrationStatusEvent" {
			continue
		}
		var r callapi.Registration
		if err := json.Unmarshal(ev.data, &r); err != nil {
			e.t.Fatalf("RegistrationStatusEvent: %v: %s", err, ev.data)
		}
		out = append(out, r)
	}
	return out
}

// countRequests counts the requests of a method SIPp received (its -trace_msg log).
func countRequests(s *peers.SIPp, method string) int {
	return len(regexp.MustCompile(`(?m)^`+method+` sip:`).FindAllString(s.Messages(), -1))
}

// sippLogged returns what the scenario logged with <log message="PREFIX x"/>, x joined.
func sippLogged(s *peers.SIPp, prefix string) string {
	var out strings.Builder
	for _, m := range regexp.MustCompile(regexp.QuoteMeta(prefix)+` (\S+)`).FindAllStringSubmatch(readSIPpLog(s), -1) {
		out.WriteString(m[1])
	}
	return out.String()
}

func readSIPpLog(s *peers.SIPp) string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "logs.log"))
	return string(b)
}
