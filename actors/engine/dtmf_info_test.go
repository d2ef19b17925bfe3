package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// INFO digits in the format the device takes: dtmf-relay by default; application/dtmf (the bare
// digit) when the 2xx's Accept names it alone, or after a 415 whose Accept names it (or names
// nothing), the refused digit sent again and the choice kept for the rest of the call; a 415
// naming neither is the request's failure.
func TestSendDTMFInfoFormat(t *testing.T) {
	const (
		relay = "application/dtmf-relay\n"
		bare  = "application/dtmf\n"
	)
	for _, tc := range []struct {
		name   string
		script calltest.Script
		// sends are the requests, in turn; infos every INFO the device saw (content type and
		// body); failAt the request refused (-1: none).
		sends  []string
		infos  []string
		failAt int
	}{
		{"relay by default", calltest.Script{}, []string{"1", "#"},
			[]string{relay + "Signal=1\r\nDuration=100\r\n", relay + "Signal=#\r\nDuration=100\r\n"}, -1},
		{"415 with Accept: application/dtmf", calltest.Script{InfoAccept: "application/dtmf"}, []string{"12", "3"},
			[]string{relay + "Signal=1\r\nDuration=100\r\n", bare + "1", bare + "2", bare + "3"}, -1},
		{"415 without Accept", calltest.Script{InfoCode: 415}, []string{"7"},
			[]string{relay + "Signal=7\r\nDuration=100\r\n", bare + "7"}, 0},
		{"415 naming neither", calltest.Script{InfoAccept: "application/sdp"}, []string{"56"},
			[]string{relay + "Signal=5\r\nDuration=100\r\n"}, 0},
		{"2xx Accept names application/dtmf", calltest.Script{InfoAccept: "application/dtmf",
			Dialog: calltest.DialogScript{Answer: sipua.AnswerInfo{Accept: "application/sdp, application/dtmf"}}},
			[]string{"*D"}, []string{bare + "*", bare + "D"}, -1},
		{"2xx Accept: application/sdp alone", calltest.Script{
			Dialog: calltest.DialogScript{Answer: sipua.AnswerInfo{Accept: "application/sdp"}}},
			[]string{"0"}, []string{relay + "Signal=0\r\nDuration=100\r\n"}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := tc.script
			script.AnswerSDP = []byte(answerSDP)
			eng, sig := newEngine(t, script)
			ctx := context.Background()
			if _, err := eng.StartCall(ctx, spec(t, `{"callId":"i","callee":"x","sipDomain":"h"}`)); err != nil {
				t.Fatal(err)
			}
			waitStatus(t, eng, "i", callapi.StatusEstablished)
			for i, digits := range tc.sends {
				_, err := eng.SendDTMF(ctx, "i", digits, call.DTMFInfo)
				switch {
				case i == tc.failAt && (!errors.Is(err, call.ErrDTMFFailed) || !strings.Contains(err.Error(), "415")):
					t.Fatalf("request %d (%q): %v, want a failure naming the 415", i, digits, err)
				case i != tc.failAt && err != nil:
					t.Fatalf("request %d (%q): %v", i, digits, err)
				}
			}
			if got := sig.Sessions()[0].Infos(); strings.Join(got, "|") != strings.Join(tc.infos, "|") {
				t.Fatalf("INFOs\n%q\nwant\n%q", got, tc.infos)
			}
		})
	}
}
