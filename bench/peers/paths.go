package peers

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// benchDirEnv overrides where the bench directory is looked for, for a
// harness binary run outside the source tree.
const benchDirEnv = "SIPCAST_BENCH_DIR"

var benchDir = sync.OnceValues(findBenchDir)

// BenchDir returns the repository's bench directory (holding sipp/ and
// testmedia/): $SIPCAST_BENCH_DIR if set, else the directory above this source
// file, else the first bench/ found walking up from the working directory.
func BenchDir() (string, error) { return benchDir() }

func findBenchDir() (string, error) {
	isBench := func(dir string) bool {
		st, err := os.Stat(filepath.Join(dir, "sipp"))
		return err == nil && st.IsDir()
	}
	if d := os.Getenv(benchDirEnv); d != "" {
		if isBench(d) {
			return filepath.Abs(d)
		}
		return "", fmt.Errorf("%w: %s=%s has no sipp/", ErrNoBenchDir, benchDirEnv, d)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if d := filepath.Dir(filepath.Dir(file)); isBench(d) {
			return d, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if c := filepath.Join(d, "bench"); isBench(c) {
			return c, nil
		}
		if isBench(d) && filepath.Base(d) == "bench" {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%w (set %s)", ErrNoBenchDir, benchDirEnv)
		}
	}
}

// ScenarioPath resolves a SIPp scenario: an absolute path or one containing
// a separator is returned as is; a bare name such as "uas_busy.xml" is
// looked up in bench/sipp.
func ScenarioPath(name string) (string, error) {
	if filepath.IsAbs(name) || filepath.Base(name) != name {
		return filepath.Abs(name)
	}
	d, err := BenchDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "sipp", name), nil
}

// MediaDirs returns the folders of reference media, the test kit's first: bench/testmedia
// (made by its gen*.sh) and demo/clip (the H.264 capture and µ-law tone the binary embeds for
// the demo callee, made by the same gen.sh).
func MediaDirs() ([]string, error) {
	d, err := BenchDir()
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(d, "testmedia"), filepath.Join(filepath.Dir(d), "demo", "clip")}, nil
}

// MediaPath returns the path of a reference media file, from whichever of MediaDirs holds it.
func MediaPath(name string) (string, error) {
	dirs, err := MediaDirs()
	if err != nil {
		return "", err
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s in %v", os.ErrNotExist, name, dirs)
}
