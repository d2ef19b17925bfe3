package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/sipcast/sipcast/bench/peers"
)

func TestSIPTLSSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		port int
		err  string
	}{
		{name: "dev default", port: 5061},
		{name: "production default", env: map[string]string{"SIPCAST_PROFILE": "production"}, port: 5061},
		{name: "off", env: map[string]string{"SIPCAST_SIP_TLS_PORT": "off"}, port: 0},
		{name: "cert without key", env: map[string]string{"SIPCAST_SIP_TLS_CERT": "/x.pem"}, err: "sip_tls_cert and sip_tls_key"},
		{name: "the TCP port", env: map[string]string{"SIPCAST_SIP_TLS_PORT": "5060"}, err: "sip_tls_port 5060"},
		{name: "out of range", env: map[string]string{"SIPCAST_SIP_TLS_PORT": "70000"}, err: "sip_tls_port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(nil, env(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil || c.SIPTLSPort != tc.port {
				t.Fatalf("port %d, err %v", c.SIPTLSPort, err)
			}
		})
	}
}

// tlsConfigFor is a configuration whose SIP TLS listener binds a free loopback port.
func tlsConfigFor(t *testing.T, profile string) Config {
	c := defaults(profile)
	c.SIPIP, c.DataDir, c.SIPTLSPort = "127.0.0.1", t.TempDir(), peers.FreeTCPPort(t)
	return c
}

// handshake dials ln and returns the certificate it presents.
func handshake(t *testing.T, ln net.Listener) []byte {
	t.Helper()
	go func() {
		if c, err := ln.Accept(); err == nil {
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reads the certificate
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Raw
}

// Without sip_tls_cert the SIP TLS listener presents the data directory's self-signed
// certificate, the same one HTTPS presents; with it, the configured one.
func TestSIPTLSListenerCertificate(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := tlsConfigFor(t, "production")
	ln, err := c.sipTLSListener(log)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	https, err := c.httpsConfig(log)
	if err != nil {
		t.Fatal(err)
	}
	if got := handshake(t, ln); !bytes.Equal(got, https.Certificates[0].Certificate[0]) {
		t.Error("SIP TLS presents another certificate than HTTPS's self-signed one")
	}

	certFile, keyFile := peers.SelfSignedCert(t)
	c = tlsConfigFor(t, "production")
	c.SIPTLSCert, c.SIPTLSKey = certFile, keyFile
	ln2, err := c.sipTLSListener(log)
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := handshake(t, ln2); !bytes.Equal(got, pair.Certificate[0]) {
		t.Error("SIP TLS does not present sip_tls_cert")
	}
}

// A SIP TLS port in use stops a production start, and only turns TLS listening off in dev.
func TestSIPTLSListenerPortInUse(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	for _, profile := range []string{"dev", "production"} {
		c := tlsConfigFor(t, profile)
		c.SIPTLSPort = port
		ln, err := c.sipTLSListener(log)
		if ln != nil {
			ln.Close()
			t.Fatalf("%s: listening on a taken port", profile)
		}
		if (err == nil) != (profile == "dev") {
			t.Errorf("%s: err %v", profile, err)
		}
	}
	if !strings.Contains(logs.String(), "SIP over TLS listener off") || !strings.Contains(logs.String(), strconv.Itoa(port)) {
		t.Errorf("dev logged no warning:\n%s", logs.String())
	}
}
