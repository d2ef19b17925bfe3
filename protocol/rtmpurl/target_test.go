package rtmpurl

import (
	"strings"
	"testing"
)

// TestClientURLForGortmplib replays what gortmplib v1.0.1 does with
// Client.URL (client.go, splitURL): credentials and fragment dropped for
// tcUrl, request URI minus its slash as app, fragment as stream key.
func TestClientURLForGortmplib(t *testing.T) {
	tg, err := Parse("rtmp://pub:pw@rtmp-server.example.com:1935/live/_definst_?param1=value1&param2=value2", "streamName2")
	if err != nil {
		t.Fatal(err)
	}
	u := tg.ClientURL()
	streamKey := u.Fragment
	clean := *u
	clean.User, clean.Fragment = nil, ""
	tcURL := clean.String()
	app := strings.TrimPrefix(clean.RequestURI(), "/")

	if tcURL != "rtmp://rtmp-server.example.com:1935/live/_definst_?param1=value1&param2=value2" {
		t.Errorf("tcUrl %q", tcURL)
	}
	if app != "live/_definst_?param1=value1&param2=value2" {
		t.Errorf("app %q", app)
	}
	if streamKey != "streamName2" {
		t.Errorf("stream key %q", streamKey)
	}
	if p, _ := u.User.Password(); p != "pw" {
		t.Errorf("credentials not passed on for gortmplib's Adobe auth")
	}
}

func TestRedactedWithoutPassword(t *testing.T) {
	tg, err := Parse("rtmp://only-user@h/live", "s")
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Redacted(); got != "rtmp://only-user@h:1935/live/s" {
		t.Fatalf("%q", got)
	}
}
