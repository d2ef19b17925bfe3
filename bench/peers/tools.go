package peers

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireTools skips the test when one of the named programs (or absolute
// files, such as an nginx module) is missing, or fails it when the CI
// environment variable is set (to anything but "", "0" or "false").
func RequireTools(t testing.TB, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if strings.HasPrefix(n, "/") {
			if _, err := os.Stat(n); err != nil {
				missing = append(missing, n)
			}
			continue
		}
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return
	}
	if inCI() {
		t.Fatalf("required tools missing under CI: %s", strings.Join(missing, ", "))
	}
	t.Skipf("required tools missing: %s", strings.Join(missing, ", "))
}

func inCI() bool {
	switch strings.ToLower(os.Getenv("CI")) {
	case "", "0", "false":
		return false
	}
	return true
}
