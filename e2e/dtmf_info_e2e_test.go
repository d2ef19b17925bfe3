package e2e

import (
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

// /call/send_dtmf type INFO against a SIPp device that takes application/dtmf only: its 415 to
// the first dtmf-relay INFO (with Accept: application/sdp, application/dtmf) makes sipcast send
// that digit again as application/dtmf, and every later digit, of this request and the next,
// goes as application/dtmf at once. SIPp logs each digit it took; the scenario fails on any
// other content type after the 415.
func TestE2ESendDTMFInfo415(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "testdata/sipp/uas_dtmf_415.xml")
	g := startGateway(t)
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "i415", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "hasVideo": "false"})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitStatus("i415", callapi.StatusEstablished, 10*time.Second)
	for _, digits := range []string{"12*#", "9D"} {
		if code, res := g.post("/call/send_dtmf", `{"callId":"i415","dtmf":"`+digits+`","type":"INFO"}`); code != http.StatusOK {
			t.Fatalf("INFO %s: %d %s", digits, code, res)
		}
	}
	g.terminate("i415")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	logged, _ := os.ReadFile(filepath.Join(sipp.Dir, "logs.log"))
	var digits string
	for _, m := range regexp.MustCompile(`DTMF-INFO (\S) \((\S)\)`).FindAllStringSubmatch(string(logged), -1) {
		digits += m[1]
	}
	if digits != "12*#9D" || strings.Count(string(logged), "DTMF-INFO-REFUSED") != 1 {
		t.Fatalf("SIPp logged digits %q, want 12*#9D after one refusal:\n%s", digits, logged)
	}
	msgs := sipp.Messages()
	if n := strings.Count(msgs, "Content-Type: application/dtmf-relay"); n != 1 {
		t.Errorf("%d dtmf-relay INFOs, want the one refused", n)
	}
	if n := strings.Count(msgs, "Content-Type: application/dtmf\r\n") + strings.Count(msgs, "Content-Type: application/dtmf\n"); n != 6 {
		t.Errorf("%d application/dtmf INFOs, want 6:\n%s", n, msgs)
	}
}
