package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/playback"
)

// `sipcast admin playback-token STREAM [TTL]` prints a token the server accepts for STREAM
// alone, and refuses to make one without a secret.
func TestAdminPlaybackToken(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SIPCAST_DATA_DIR": dir, "SIPCAST_PLAYBACK_SECRET": "k3y"}
	var out, errOut bytes.Buffer
	if code := runAdmin([]string{"playback-token", "s1", "2h"}, func(k string) string { return env[k] }, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	token := strings.TrimSpace(out.String())
	if err := playback.CheckToken([]byte("k3y"), "s1", token, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("token %q: %v", token, err)
	}
	if playback.CheckToken([]byte("k3y"), "s1", token, time.Now().Add(3*time.Hour)) == nil {
		t.Fatal("the token outlives its TTL")
	}
	if playback.CheckToken([]byte("k3y"), "s2", token, time.Now()) == nil {
		t.Fatal("the token opens another stream")
	}
	delete(env, "SIPCAST_PLAYBACK_SECRET")
	if code := runAdmin([]string{"playback-token", "s1"}, func(k string) string { return env[k] }, nil, &out, &errOut); code != 1 {
		t.Fatalf("without a secret: exit %d", code)
	}
}
