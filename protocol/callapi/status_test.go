package callapi

import "testing"

func TestEndedRTMP(t *testing.T) {
	for in, want := range map[string]string{
		RTMPStreamWait:       RTMPConnectionFailed, // never set up, and never will be
		RTMPStreamActive:     RTMPConnectionLost,   // issue #12: stayed ACTIVE after the call
		RTMPConnectionLost:   RTMPConnectionLost,
		RTMPConnectionFailed: RTMPConnectionFailed,
		"":                   "",
	} {
		if got := EndedRTMP(in); got != want {
			t.Errorf("EndedRTMP(%q) = %q, want %q", in, got, want)
		}
	}
}
