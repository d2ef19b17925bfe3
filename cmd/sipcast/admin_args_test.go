package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A command line with anything but flags never configures a gateway; "admin" after the flags is
// the admin command, with those flags (issue 12: `sipcast -data-dir DIR admin …` started a
// gateway on the default ports).
func TestAdminArgs(t *testing.T) {
	getenv := env(nil)
	cases := []struct {
		args  []string
		admin bool
		want  []string
	}{
		{[]string{"admin", "show"}, true, []string{"show"}},
		{[]string{"-data-dir", "/d", "admin", "show"}, true, []string{"-data-dir", "/d", "show"}},
		{[]string{"-config", "c.yaml", "-data-dir=/d", "admin", "set-app", "k", "http://h/x"}, true,
			[]string{"-config", "c.yaml", "-data-dir=/d", "set-app", "k", "http://h/x"}},
		{[]string{"-sip-port", "5062", "admin", "show"}, true, []string{"-sip-port", "5062", "show"}}, // runAdmin refuses -sip-port
		{[]string{"-data-dir", "/d"}, false, nil},
		{[]string{"-data-dir", "/d", "show"}, false, nil},
		{nil, false, nil},
	}
	for _, c := range cases {
		got, ok := adminArgs(c.args, getenv)
		if ok != c.admin || !slices.Equal(got, c.want) {
			t.Errorf("adminArgs(%q) = %q, %v; want %q, %v", c.args, got, ok, c.want, c.admin)
		}
	}
	for _, args := range [][]string{{"-data-dir", "/d", "show"}, {"stray"}, {"-rest-port", "1", "admin2"}} {
		_, err := loadConfig(args, getenv)
		var pe *positionalError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "unexpected argument") {
			t.Errorf("loadConfig(%q): %v, want an unexpected-argument error", args, err)
		}
	}
}

func TestAdminRefusesMisplacedFlags(t *testing.T) {
	dir := t.TempDir()
	var out, errOut strings.Builder
	code := runAdmin([]string{"show", "-data-dir", dir}, env(nil), strings.NewReader(""), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "flags go before COMMAND") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	code = runAdmin([]string{"-sip-port", "5062", "show"}, env(nil), strings.NewReader(""), &out, &errOut)
	if code != 2 {
		t.Fatalf("a gateway flag for admin: exit %d", code)
	}
}
