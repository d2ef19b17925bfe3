package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sipcast/sipcast/"

// goList runs `go list` with a template over the given packages, one line per package.
func goList(t *testing.T, template string, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-f", template}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// The layering README's architecture section promises, checked on the real import graph: the
// binary carries no test kit, the REST layer reaches the engine only through its own interfaces,
// and protocol/ and media/ stay pure (no actor, not even the actor library).
func TestLayout(t *testing.T) {
	for _, dep := range goList(t, "{{.ImportPath}}", "-deps", ".") {
		for _, kit := range []string{"bench/", "e2e", "internal/testutil"} {
			if strings.HasPrefix(dep, module+kit) {
				t.Errorf("the binary depends on %s", dep)
			}
		}
	}
	rules := []struct {
		pkgs      string
		forbidden []string
	}{
		{"../../api/...", []string{module + "actors/"}},
		{"../../protocol/...", []string{module + "actors/", module + "media/", module + "internal/", "github.com/asynkron/"}},
		{"../../media/...", []string{module + "actors/", module + "internal/", "github.com/asynkron/"}},
		{"../../demo/...", []string{module + "actors/", module + "api", module + "bench/"}},
	}
	for _, r := range rules {
		for _, line := range goList(t, `{{.ImportPath}}:{{join .Imports " "}}`, r.pkgs) {
			pkg, imports, _ := strings.Cut(line, ":")
			for _, imp := range strings.Fields(imports) {
				for _, f := range r.forbidden {
					if strings.HasPrefix(imp, f) {
						t.Errorf("%s imports %s", pkg, imp)
					}
				}
			}
		}
	}
}
