package metrics

import (
	"bufio"
	"fmt"
	"regexp"
	"strings"
)

// sampleLine is a text-format sample line: name{label="value",…} value.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$`)

// Parse checks text in the Prometheus text format as sipcast writes it — every family typed
// (counter or gauge) once, before its samples; every sample line well formed — and returns the
// samples by `name{labels}`. Tests and scrapers of /metrics use it.
func Parse(text string) (map[string]string, error) {
	samples := map[string]string{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if len(f) != 4 || (f[3] != "counter" && f[3] != "gauge") || typed[f[2]] {
				return nil, fmt.Errorf("line %d: bad or repeated TYPE line %q", n, line)
			}
			typed[f[2]] = true
		case sampleLine.MatchString(line):
			name, value, _ := strings.Cut(line, " ")
			family, _, _ := strings.Cut(name, "{")
			if !typed[family] {
				return nil, fmt.Errorf("line %d: sample before its TYPE: %q", n, line)
			}
			if _, dup := samples[name]; dup {
				return nil, fmt.Errorf("line %d: repeated sample %q", n, name)
			}
			samples[name] = value
		default:
			return nil, fmt.Errorf("line %d: not Prometheus text: %q", n, line)
		}
	}
	return samples, sc.Err()
}
