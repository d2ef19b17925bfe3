package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// kamailioStartTimeout bounds the wait for kamailio to bind its UDP and TCP sockets.
const kamailioStartTimeout = 10 * time.Second

// KamailioTLSModule is kamailio's TLS module, in Debian's kamailio-tls-modules: a test that
// starts kamailio WithKamailioTLS requires it.
const KamailioTLSModule = "/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so"

// SIPUser is an account of the registrar: a subscriber with a plain password.
type SIPUser struct {
	Name, Password string
}

// KamailioOption configures StartKamailio.
type KamailioOption func(*kamailioConfig)

type kamailioConfig struct {
	algorithm     string
	cert, certKey string
}

// WithDigestAlgorithm makes kamailio challenge with another digest algorithm than MD5: "SHA-256"
// (RFC 7616).
func WithDigestAlgorithm(name string) KamailioOption {
	return func(c *kamailioConfig) { c.algorithm = name }
}

// WithKamailioTLS makes kamailio also take SIP over TLS on TLSPort, with the PEM certificate
// and key (e.g. from SelfSignedCert); it asks no certificate of its clients, and verifies none
// of the TLS servers it opens connections to (a TLS client's Contact, for in-dialog requests:
// it does not alias the client's own connection). Its log then has a "sent METHOD to ip:port
// (proto)" line per request it sends. Needs the tls module (Debian's kamailio-tls-modules).
func WithKamailioTLS(certFile, keyFile string) KamailioOption {
	return func(c *kamailioConfig) { c.cert, c.certKey = certFile, keyFile }
}

// Kamailio is a running kamailio on 127.0.0.1: registrar (REGISTER challenged with 401) and
// digest-authenticating proxy (first requests challenged with 407, record-routed, relayed to the
// registered contact), over UDP and TCP on Port, and TLS on TLSPort with WithKamailioTLS. Its
// configuration is bench/kamailio/kamailio.cfg.
type Kamailio struct {
	Port int
	// TLSPort is its SIP over TLS port; 0 without WithKamailioTLS.
	TLSPort int
	// Dir holds kamailio.cfg, the db_text tables (db/) and kamailio.log.
	Dir  string
	proc *proc
}

// StartKamailio runs kamailio in the foreground with users as its subscribers and waits until
// it listens; it is stopped when the test ends:
//
//	kamailio -f DIR/kamailio.cfg -DD -E -Y DIR/run -m 64 -M 8
func StartKamailio(t testing.TB, users []SIPUser, opts ...KamailioOption) *Kamailio {
	t.Helper()
	RequireTools(t, "kamailio")
	bench, err := BenchDir()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.ParseFiles(filepath.Join(bench, "kamailio", "kamailio.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	k := &Kamailio{Port: FreeSIPPort(t), Dir: dir}
	db, run := filepath.Join(dir, "db"), filepath.Join(dir, "run")
	for _, d := range []string{db, run} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var c kamailioConfig
	for _, o := range opts {
		o(&c)
	}
	if c.cert != "" {
		RequireTools(t, KamailioTLSModule)
		k.TLSPort = FreeTCPPort(t)
	}
	if err := writeSubscribers(db, users); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.Create(filepath.Join(dir, "kamailio.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	err = tmpl.Execute(cfg, map[string]any{"Port": k.Port, "DBDir": db, "RunDir": run, "Algorithm": c.algorithm,
		"TLSPort": k.TLSPort, "Cert": c.cert, "Key": c.certKey})
	cfg.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "kamailio.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command("kamailio", "-f", filepath.Join(dir, "kamailio.cfg"), "-DD", "-E", "-Y", run, "-m", "64", "-M", "8")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if k.proc, err = startProc(cmd); err != nil {
		t.Fatalf("start kamailio: %v", err)
	}
	t.Cleanup(k.Stop)
	wait := func(proto string, port int) {
		if err := waitBound(k.proc, proto, port, kamailioStartTimeout); err != nil {
			k.Stop()
			t.Fatalf("kamailio did not start: %v\n%s", err, tail(k.Logs(), logTail))
		}
	}
	wait("udp", k.Port)
	wait("tcp", k.Port)
	if k.TLSPort != 0 {
		wait("tcp", k.TLSPort) // TLS is over TCP
	}
	t.Logf("kamailio on 127.0.0.1:%d (udp+tcp), TLS port %d, dir %s", k.Port, k.TLSPort, dir)
	return k
}

// Addr is "127.0.0.1:Port", what a client takes as its outbound proxy.
func (k *Kamailio) Addr() string { return fmt.Sprintf("127.0.0.1:%d", k.Port) }

// TLSAddr is "127.0.0.1:TLSPort", the outbound proxy of a client speaking SIP over TLS.
func (k *Kamailio) TLSAddr() string { return fmt.Sprintf("127.0.0.1:%d", k.TLSPort) }

// Logs returns kamailio's log: one line per request it routed, and its errors.
func (k *Kamailio) Logs() string { return readFile(filepath.Join(k.Dir, "kamailio.log")) }

// Stop ends kamailio; safe to call more than once.
func (k *Kamailio) Stop() { k.proc.terminate(syscall.SIGTERM) }

// writeSubscribers writes the db_text tables auth_db reads: its version table and the
// subscribers (db_text wants "(string,null)" for columns that may be empty).
func writeSubscribers(dir string, users []SIPUser) error {
	version := "table_name(string) table_version(int)\nsubscriber:7\n"
	var b strings.Builder
	b.WriteString("id(int,auto) username(string) domain(string) password(string) ha1(string,null) ha1b(string,null)\n")
	for i, u := range users {
		fmt.Fprintf(&b, "%d:%s:127.0.0.1:%s::\n", i+1, u.Name, u.Password)
	}
	if err := os.WriteFile(filepath.Join(dir, "version"), []byte(version), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "subscriber"), []byte(b.String()), 0o644)
}

// FreeSIPPort returns a port free for both UDP and TCP on 127.0.0.1, as a SIP server that takes
// both needs.
func FreeSIPPort(t testing.TB) int {
	t.Helper()
	for range portTries {
		p := FreeUDPPort(t)
		if _, closeTCP, err := listen("tcp", p); err == nil {
			closeTCP()
			return p
		}
	}
	t.Fatalf("no port free for both UDP and TCP after %d tries", portTries)
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
