package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigLayers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sipcast.yaml")
	if err := os.WriteFile(file, []byte("rest_port: 9000\nsip_port: 5070\ninvite_timeout: 30s\nrtp_ports: 40000-40099\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
		err   string
	}{
		{name: "dev defaults", check: func(t *testing.T, c Config) {
			if c.RESTPort != 8081 || c.SIPPort != 5060 || c.RTPPorts != "31000-31999" || c.RTMPServer != "127.0.0.1:1935" ||
				c.DemoDevice != "127.0.0.1:5070" || c.InviteTimeout != time.Minute || c.Profile != "dev" {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "production turns the demo parts off", env: map[string]string{"SIPCAST_PROFILE": "production"},
			check: func(t *testing.T, c Config) {
				if c.RTMPServer != "" || c.DemoDevice != "" || c.LogFormat != "json" {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "file, then env, then flags", args: []string{"-config", file, "-sip-port", "5080"},
			env: map[string]string{"SIPCAST_SIP_PORT": "5075", "SIPCAST_REST_PORT": "9100"},
			check: func(t *testing.T, c Config) {
				if c.RESTPort != 9100 || c.SIPPort != 5080 || c.InviteTimeout != 30*time.Second || c.RTPPorts != "40000-40099" {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "config file from env", env: map[string]string{"SIPCAST_CONFIG": file},
			check: func(t *testing.T, c Config) {
				if c.RESTPort != 9000 {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "off disables", env: map[string]string{"SIPCAST_RTMP_SERVER": "off"},
			check: func(t *testing.T, c Config) {
				if c.RTMPServer != "" {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "bad number", env: map[string]string{"SIPCAST_REST_PORT": "x"}, err: "SIPCAST_REST_PORT"},
		{name: "bad duration", args: []string{"-invite-timeout", "5"}, err: "duration"},
		{name: "bad range", env: map[string]string{"SIPCAST_RTP_PORTS": "100-50"}, err: "rtp_ports"},
		{name: "bad ip", env: map[string]string{"SIPCAST_SIP_IP": "host"}, err: "sip_ip"},
		{name: "bad profile", env: map[string]string{"SIPCAST_PROFILE": "prod"}, err: "profile"},
		{name: "missing file", args: []string{"-config", filepath.Join(dir, "none.yaml")}, err: "config file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(tc.args, env(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}
