package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestAdminCommandLine runs the binary as an operator would: the admin command after global
// flags runs it; a misplaced argument is a clear error with a non-zero exit, never a gateway.
func TestAdminCommandLine(t *testing.T) {
	bin := sipcastBinary(t)
	dir := t.TempDir()
	run := func(args ...string) (int, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("%q still running after 20 s (a gateway started?):\n%s", args, out)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := run("-data-dir", dir, "admin", "show"); code != 0 || !strings.Contains(out, "data directory: "+dir) {
		t.Fatalf("-data-dir DIR admin show: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"-data-dir", dir, "admin", "show", "-profile", "production"},
		{"-data-dir", dir, "show"},
		{"-data-dir", dir, "-rest-port", "1", "admin", "show"},
		{"-data-dir", dir, "adminx"},
	} {
		code, out := run(args...)
		if code == 0 || strings.Contains(out, "starting sipcast") {
			t.Errorf("%q: exit %d\n%s", args, code, out)
		}
		if !strings.Contains(out, "sipcast") || len(strings.TrimSpace(out)) == 0 {
			t.Errorf("%q: no explanation:\n%s", args, out)
		}
	}
}
