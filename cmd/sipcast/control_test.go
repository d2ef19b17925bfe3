package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/api"
)

var quietLog = slog.New(slog.DiscardHandler)

func TestControlDefaults(t *testing.T) {
	c, err := loadConfig(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPSPort != 8444 || c.DataDir != "/var/lib/sipcast" || c.BodyLimit != 65536 || c.AuthMaxFailures != 10 ||
		c.CallAppURL != "http://localhost:9091/CallApp" || c.NotifyQueue != 1000 || c.NotifyRetries != 3 ||
		c.NotifyTimeout != 5*time.Second || c.DrainTimeout != 15*time.Second {
		t.Fatalf("%+v", c)
	}
	c, err = loadConfig([]string{"-https-port", "off", "-callapp-url", "off"}, env(map[string]string{"SIPCAST_NOTIFY_RETRIES": "0"}))
	if err != nil || c.HTTPSPort != 0 || c.CallAppURL != "" || c.NotifyRetries != 0 {
		t.Fatalf("%+v %v", c, err)
	}
	for name, e := range map[string]map[string]string{
		"cert without key": {"SIPCAST_TLS_CERT": "/x.pem"},
		"ftp app":          {"SIPCAST_CALLAPP_URL": "ftp://h/x"},
		"relative app":     {"SIPCAST_CALLAPP_URL": "/CallApp"},
		"tiny body limit":  {"SIPCAST_BODY_LIMIT": "10"},
		"same ports":       {"SIPCAST_PROFILE": "production", "SIPCAST_HTTPS_PORT": "8081"},
		"no queue":         {"SIPCAST_NOTIFY_QUEUE": "0"},
	} {
		if _, err := loadConfig(nil, env(e)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAppURL(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("callapp_url: http://d/CallApp\napps:\n  a1: http://a1/App\n  quiet: \"off\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig([]string{"-config", file}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{"a1": "http://stored/App", "a2": "off"}
	for key, want := range map[string]string{
		"defaultApp": "http://d/CallApp", "other": "http://d/CallApp", "a1": "http://stored/App", "a2": "", "quiet": "",
	} {
		if got := c.appURL(stored, key); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	if got := c.appURL(nil, "a1"); got != "http://a1/App" {
		t.Errorf("YAML app: %q", got)
	}
}

// The store sees a file written by saveSettings (another inode) at its next check.
func TestSettingsStoreReloads(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	s := newSettingsStore(dir, quietLog)
	s.now = func() time.Time { return now }
	if u, h := s.credentials(); u != "" || h != "" {
		t.Fatalf("no file: %q %q", u, h)
	}
	if err := saveSettings(filepath.Join(dir, settingsFile), Settings{User: "ops", PasswordHash: "h1", Apps: map[string]string{"a": "http://x"}}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(settingsRecheck + time.Millisecond)
	if u, h := s.credentials(); u != "ops" || h != "h1" || s.get().Apps["a"] != "http://x" {
		t.Fatalf("after save: %q %q", u, h)
	}
	fi, err := os.Stat(filepath.Join(dir, settingsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings file mode %v %v", fi.Mode(), err)
	}
	// A broken file keeps what was in force.
	if err := os.WriteFile(filepath.Join(dir, settingsFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	now = now.Add(settingsRecheck + time.Millisecond)
	if u, _ := s.credentials(); u != "ops" {
		t.Fatalf("broken file: %q", u)
	}
	if err := os.Remove(filepath.Join(dir, settingsFile)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(settingsRecheck + time.Millisecond)
	if u, _ := s.credentials(); u != "" {
		t.Fatalf("removed file: %q", u)
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	certPath, keyPath, created, err := ensureSelfSigned(dir, []string{"localhost", "127.0.0.1", "gw.example"}, now)
	if err != nil || !created {
		t.Fatalf("%v %v", created, err)
	}
	first, _ := os.ReadFile(certPath)
	block, _ := pem.Decode(first)
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := leaf.VerifyHostname("gw.example"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(keyPath); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", fi.Mode())
	}
	// Reused at the next start.
	_, _, created, err = ensureSelfSigned(dir, []string{"localhost"}, now.Add(time.Hour))
	again, _ := os.ReadFile(certPath)
	if err != nil || created || !bytes.Equal(first, again) {
		t.Fatalf("not reused: created=%v err=%v", created, err)
	}
	// Made again once expired.
	_, _, created, err = ensureSelfSigned(dir, []string{"localhost"}, now.Add(certValidity+time.Hour))
	if err != nil || !created {
		t.Fatalf("expired not replaced: %v %v", created, err)
	}
	// An unreadable certificate is not overwritten.
	if err := os.WriteFile(certPath, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ensureSelfSigned(dir, nil, now); err == nil {
		t.Fatal("junk certificate replaced silently")
	}
}

func TestAdmin(t *testing.T) {
	dir := t.TempDir()
	getenv := env(map[string]string{"SIPCAST_DATA_DIR": dir})
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runAdmin(args, getenv, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, _ := run("", "show"); code != 0 || !strings.Contains(out, `default password "admin"`) ||
		!strings.Contains(out, "defaultApp     http://localhost:9091/CallApp (callapp_url)") {
		t.Fatalf("show: %d\n%s", code, out)
	}
	if code, _, errOut := run("short\n", "set-password"); code != 1 || !strings.Contains(errOut, "at least") {
		t.Fatalf("short password: %d %s", code, errOut)
	}
	if code, _, errOut := run("correct horse\n", "set-password", "ops"); code != 0 {
		t.Fatalf("set-password: %d %s", code, errOut)
	}
	s, err := loadSettings(filepath.Join(dir, settingsFile))
	if err != nil || s.User != "ops" || strings.Contains(s.PasswordHash, "horse") || !api.VerifyPassword(s.PasswordHash, "correct horse") {
		t.Fatalf("stored %+v %v", s, err)
	}
	if code, _, errOut := run("", "set-app", "slowApp", "http://127.0.0.1:1/Slow"); code != 0 {
		t.Fatalf("set-app: %d %s", code, errOut)
	}
	if code, _, _ := run("", "set-app", "x", "ftp://nope"); code != 1 {
		t.Fatal("bad URL accepted")
	}
	code, out, _ := run("", "-data-dir", dir, "show")
	if code != 0 || !strings.Contains(out, "REST user:      ops (password set, stored hashed)") ||
		!strings.Contains(out, "slowApp        http://127.0.0.1:1/Slow (set-app)") || strings.Contains(out, "horse") {
		t.Fatalf("show: %d\n%s", code, out)
	}
	for _, args := range [][]string{nil, {"nope"}, {"set-app", "x"}, {"show", "extra"}, {"-bogus", "show"}} {
		if code, _, _ := run("", args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
