package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// The digits reach the engine upper-cased and the type as the constants spell it.
func TestSendDTMFNormalises(t *testing.T) {
	fake := newFake()
	app := New(Config{}, fake)
	for _, body := range []string{
		`{"callId":"existing","dtmf":"12*#abcd","type":"info"}`,
		`{"callId":"existing","dtmf":90,"type":"rfc4733","unknown":[1,2]}`,
		`{"callId":" existing ","dtmf":" 7 ","type":""}`,
	} {
		res, err := app.Test(httptest.NewRequest("POST", "/rest-api/call/send_dtmf", strings.NewReader(body)), -1)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %v %v", body, res.StatusCode, err)
		}
	}
	want := []string{"existing 12*#ABCD INFO", "existing 90 RFC2833", "existing 7 RFC2833"}
	if strings.Join(fake.dtmf, "|") != strings.Join(want, "|") {
		t.Fatalf("engine got %q", fake.dtmf)
	}
}
