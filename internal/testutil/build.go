package testutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// ErrNoModule: the sipcast source tree (its go.mod) could not be found.
var ErrNoModule = errors.New("testutil: sipcast module not found")

// ModuleDir returns the root of the sipcast source tree: the folder two levels above this file,
// else the first folder holding go.mod walking up from the working directory.
func ModuleDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		d := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", ErrNoModule
		}
	}
}

// BuildSipcast builds ./cmd/sipcast of the tree at moduleDir into out (with the race detector
// when race is set, as the e2e tests want; the load harness measures a plain build).
func BuildSipcast(ctx context.Context, moduleDir, out string, race bool) error {
	args := []string{"build", "-o", out}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/sipcast")...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/sipcast: %w\n%s", err, b)
	}
	return nil
}

// built is one cached build of the binary.
type built struct {
	once sync.Once
	path string
	err  error
}

// builds holds a build with and one without the race detector, each made at most once per
// test process.
var builds [2]built

// Sipcast returns ./cmd/sipcast built once per test process into a temporary folder: with the
// race detector for the end-to-end tests, without it for benchmarks that measure it.
func Sipcast(race bool) (string, error) {
	b := &builds[0]
	if race {
		b = &builds[1]
	}
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "sipcast-bin-")
		if err != nil {
			b.err = err
			return
		}
		mod, err := ModuleDir()
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "sipcast")
		b.err = BuildSipcast(context.Background(), mod, b.path, race)
	})
	return b.path, b.err
}
