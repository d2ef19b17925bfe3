package main

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sipcast/sipcast/api"
)

const adminUsage = `usage: sipcast admin [-config FILE] [-data-dir DIR] COMMAND

commands:
  set-password [USER]   read a new REST password from standard input (twice on a terminal) and
                        store its hash, with USER (default: the current user, else admin)
  set-app APPKEY URL    send the notifications of calls with this appKey to URL ("off": none)
  show                  print the stored settings, the effective app URLs and the certificate
  playback-token STREAM [TTL]
                        print a playback token for STREAM, valid for TTL (default 24h), signed
                        with playback_secret: /play/STREAM?token=…, /whep/…, /hls/… open without
                        the credentials

The running server reads the changes within a second; no restart is needed.
`

// positionalError: the command line holds an argument that is not a flag. The gateway takes
// none, so it never starts on one (`sipcast -data-dir D admin …` once started a gateway on the
// default ports); main runs the admin command when that argument is "admin".
type positionalError struct {
	flags, rest []string // the flags before the first positional argument; it and what follows
}

func (e *positionalError) Error() string {
	if e.rest[0] == "admin" {
		return "admin: the command" // main runs it; never shown
	}
	return fmt.Sprintf("unexpected argument %q: the gateway takes only flags (-help lists them); "+
		"the admin command is `sipcast [-config FILE] [-data-dir DIR] admin COMMAND`", e.rest[0])
}

// adminArgs returns the arguments of `sipcast [flags] admin …` for runAdmin (the flags before
// "admin" first), and whether the command line is one.
func adminArgs(args []string, getenv func(string) string) ([]string, bool) {
	if len(args) > 0 && args[0] == "admin" {
		return args[1:], true
	}
	_, err := loadConfig(args, getenv)
	var pe *positionalError
	if !errors.As(err, &pe) || pe.rest[0] != "admin" {
		return nil, false
	}
	return append(append([]string{}, pe.flags...), pe.rest[1:]...), true
}

// minPassword keeps an operator from storing an empty or trivial password by a stray newline.
const minPassword = 8

// runAdmin is `sipcast admin …`: it edits the settings file of the data directory. It returns
// the process exit code.
func runAdmin(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sipcast admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, adminUsage) }
	configPath := fs.String("config", "", "YAML configuration file (SIPCAST_CONFIG)")
	dataDir := fs.String("data-dir", "", "data directory (SIPCAST_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var forward []string
	if *configPath != "" {
		forward = append(forward, "-config", *configPath)
	}
	if *dataDir != "" {
		forward = append(forward, "-data-dir", *dataDir)
	}
	cfg, err := loadConfig(forward, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "sipcast admin:", err)
		return 2
	}
	path := filepath.Join(cfg.DataDir, settingsFile)
	cmd := fs.Args()
	if len(cmd) == 0 {
		fs.Usage()
		return 2
	}
	for _, a := range cmd[1:] {
		if strings.HasPrefix(a, "-") {
			fmt.Fprintf(stderr, "sipcast admin: %q after the command: flags go before COMMAND\n", a)
			fs.Usage()
			return 2
		}
	}
	switch {
	case cmd[0] == "set-password" && len(cmd) <= 2:
		err = adminSetPassword(path, cmd[1:], stdin, stderr)
	case cmd[0] == "set-app" && len(cmd) == 3:
		err = adminSetApp(path, cmd[1], cmd[2])
	case cmd[0] == "show" && len(cmd) == 1:
		err = adminShow(cfg, path, stdout)
	case cmd[0] == "playback-token" && (len(cmd) == 2 || len(cmd) == 3):
		err = adminPlaybackToken(cfg, cmd[1:], stdout)
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "sipcast admin:", err)
		return 1
	}
	return 0
}

func adminSetPassword(path string, args []string, stdin io.Reader, stderr io.Writer) error {
	s, err := loadSettingsOrEmpty(path)
	if err != nil {
		return err
	}
	user := s.User
	if len(args) == 1 {
		user = args[0]
	}
	if user == "" {
		user = api.DefaultUser
	}
	if strings.ContainsAny(user, ":\r\n") {
		return errors.New("the user name may not hold ':' or line breaks (HTTP Basic)")
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	if len(pw) < minPassword {
		return fmt.Errorf("the password must have at least %d characters", minPassword)
	}
	hash, err := api.HashPassword(pw, 0)
	if err != nil {
		return err
	}
	s.User, s.PasswordHash = user, hash
	if err := saveSettings(path, s); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "password of %q stored (hashed) in %s\n", user, path)
	return nil
}

// readPassword reads one line; on a terminal it prompts, hides the typing and asks twice.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(stderr, "New password: ")
		first, err := readHidden(f)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		second, err := readHidden(f)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if first != second {
			return "", errors.New("the passwords differ")
		}
		return first, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func adminSetApp(path, appKey, rawURL string) error {
	if strings.TrimSpace(appKey) == "" {
		return errors.New("empty APPKEY")
	}
	if err := checkAppURL(rawURL); err != nil {
		return err
	}
	s, err := loadSettingsOrEmpty(path)
	if err != nil {
		return err
	}
	if s.Apps == nil {
		s.Apps = map[string]string{}
	}
	s.Apps[appKey] = rawURL
	return saveSettings(path, s)
}

func adminShow(cfg Config, path string, out io.Writer) error {
	s, err := loadSettingsOrEmpty(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "data directory: %s\nsettings file:  %s\n", cfg.DataDir, path)
	switch {
	case s.PasswordHash == "":
		fmt.Fprintf(out, "REST user:      %s (default password %q: change it with set-password)\n", api.DefaultUser, api.DefaultPassword)
	default:
		user := s.User
		if user == "" {
			user = api.DefaultUser
		}
		fmt.Fprintf(out, "REST user:      %s (password set, stored hashed)\n", user)
	}
	keys := map[string]bool{defaultAppKey: true}
	for k := range cfg.Apps {
		keys[k] = true
	}
	for k := range s.Apps {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	fmt.Fprintln(out, "apps (notifications go to <URL>/<EventName>):")
	for _, k := range sorted {
		u := cfg.appURL(s.Apps, k)
		if u == "" {
			u = "off"
		}
		from := "callapp_url"
		if _, ok := s.Apps[k]; ok {
			from = "set-app"
		} else if _, ok := cfg.Apps[k]; ok {
			from = "config file"
		}
		fmt.Fprintf(out, "  %-14s %s (%s)\n", k, u, from)
	}
	fmt.Fprintln(out, "  (any other appKey goes to defaultApp's callapp_url)")
	certPath := cfg.TLSCert
	if certPath == "" {
		certPath = filepath.Join(cfg.DataDir, certDir, certFile)
	}
	if data, err := os.ReadFile(certPath); err == nil {
		if block, _ := pem.Decode(data); block != nil {
			if leaf, err := x509.ParseCertificate(block.Bytes); err == nil {
				fmt.Fprintf(out, "HTTPS certificate: %s\n  sha256 %s\n  valid until %s\n", certPath, fingerprint(leaf.Raw),
					leaf.NotAfter.UTC().Format("2006-01-02"))
				return nil
			}
		}
	}
	fmt.Fprintf(out, "HTTPS certificate: none yet (%s is made at the first production start)\n", certPath)
	return nil
}

func loadSettingsOrEmpty(path string) (Settings, error) {
	s, err := loadSettings(path)
	if errors.Is(err, os.ErrNotExist) {
		return Settings{}, nil
	}
	return s, err
}
