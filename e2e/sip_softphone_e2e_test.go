package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// softphoneHold is how long the call must stay up: the spec's softphones drop a sendrecv call
// after about a minute without RTP from the other side; baresip here after 5 s.
const softphoneHold = 90 * time.Second

// baresip with a 5 s RTP timeout keeps a sendrecv audio call for 90 s, because sipcast sends it
// G.711 silence (and RTCP) all along; then baresip freezes (no RTP, no RTCP, no SIP) and sipcast's
// own media timeout ends the call: BYE, FAILED with the reason.
func TestE2ESoftphoneKeepsCall(t *testing.T) {
	peers.RequireTools(t, "baresip", "ffmpeg")
	t.Parallel()
	bob := peers.StartBaresip(t, peers.WithRTPTimeout(5*time.Second))
	g := startGateway(t, "SIPCAST_MEDIA_TIMEOUT=5s")
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "soft1", "callee": "bob",
		"sipDomain": "127.0.0.1", "sipPort": bob.SIPPort(), "hasAudio": "true", "hasVideo": "false"})); code != 200 {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitStatus("soft1", callapi.StatusEstablished, 10*time.Second)
	up := time.Now()
	for time.Since(up) < softphoneHold {
		if _, calls := g.find("soft1"); len(calls) != 1 || calls[0].Status != callapi.StatusEstablished {
			t.Fatalf("call dropped after %v: %s\nbaresip:\n%s", time.Since(up), dump(calls), tail(bob.Logs()))
		}
		time.Sleep(time.Second)
	}
	logs := bob.Logs()
	if !strings.Contains(logs, "Enable RTP timeout (5000 milliseconds)") || strings.Contains(logs, "no RTP packets") {
		t.Fatalf("baresip's RTP timeout was not armed, or fired:\n%s", tail(logs))
	}
	t.Logf("call up %v with baresip's 5 s RTP timeout armed", time.Since(up).Round(time.Second))

	bob.Freeze()
	frozen := time.Now()
	c := g.waitStatus("soft1", callapi.StatusFailed, 20*time.Second)
	bob.Thaw()
	if !strings.Contains(str(c.Reason), "media timeout: no RTP or RTCP from the device for 5s") {
		t.Errorf("reason %q", str(c.Reason))
	}
	t.Logf("frozen device hung up on after %v (5 s media timeout, then BYE)", time.Since(frozen).Round(100*time.Millisecond))
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}
