// Package metrics holds sipcast's process-wide counters and gauges and writes them in the
// Prometheus text exposition format (version 0.0.4). Counters are lock-free atomics, so an actor
// can count a packet in its hot path with one call; /metrics reads them without asking any actor.
//
// It is deliberately small — counters, gauges, fixed label sets — rather than client_golang: the
// figures sipcast exposes need nothing more, and the text format is a few lines.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Counter only goes up.
type Counter struct{ v atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Value is the current count.
func (c *Counter) Value() uint64 { return c.v.Load() }

// Gauge goes up and down.
type Gauge struct{ v atomic.Int64 }

// Add adds n (negative to subtract).
func (g *Gauge) Add(n int64) { g.v.Add(n) }

// Set sets the value.
func (g *Gauge) Set(n int64) { g.v.Store(n) }

// Value is the current value.
func (g *Gauge) Value() int64 { return g.v.Load() }

// CounterVec is a counter per value of one label, made on first use.
type CounterVec struct {
	mu sync.Mutex
	m  map[string]*Counter
}

// With returns the counter of one label value.
func (v *CounterVec) With(label string) *Counter {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]*Counter{}
	}
	c := v.m[label]
	if c == nil {
		c = &Counter{}
		v.m[label] = c
	}
	return c
}

// snapshot returns the label values, sorted, with their counts.
func (v *CounterVec) snapshot() ([]string, []uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	keys := make([]string, 0, len(v.m))
	for k := range v.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]uint64, len(keys))
	for i, k := range keys {
		vals[i] = v.m[k].Value()
	}
	return keys, vals
}

// Writer writes metric families in the text format. It remembers the first write error and
// skips the rest, so callers check once.
type Writer struct {
	w   io.Writer
	err error
}

// NewWriter wraps w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Err is the first write error.
func (w *Writer) Err() error { return w.err }

// Header writes a family's HELP and TYPE lines; typ is "counter" or "gauge".
func (w *Writer) Header(name, typ, help string) {
	w.printf("# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

// Sample writes one sample; labels are name, value pairs.
func (w *Writer) Sample(name string, value float64, labels ...string) {
	var b strings.Builder
	b.WriteString(name)
	if len(labels) >= 2 {
		b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(labels[i])
			b.WriteString(`="`)
			b.WriteString(escapeLabel(labels[i+1]))
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatValue(value))
	b.WriteByte('\n')
	w.printf("%s", b.String())
}

// Counter writes a family of one unlabelled counter.
func (w *Writer) Counter(name, help string, c *Counter) {
	w.Header(name, "counter", help)
	w.Sample(name, float64(c.Value()))
}

// Gauge writes a family of one unlabelled gauge.
func (w *Writer) Gauge(name, help string, g *Gauge) {
	w.Header(name, "gauge", help)
	w.Sample(name, float64(g.Value()))
}

// CounterVec writes a family of one counter per label value; always lists the values in
// always (at 0 when never counted), so a dashboard sees the series before the first event.
func (w *Writer) CounterVec(name, help, label string, v *CounterVec, always ...string) {
	w.Header(name, "counter", help)
	keys, vals := v.snapshot()
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		seen[k] = true
		w.Sample(name, float64(vals[i]), label, k)
	}
	for _, k := range always {
		if !seen[k] {
			w.Sample(name, 0, label, k)
		}
	}
}

func (w *Writer) printf(format string, args ...any) {
	if w.err != nil {
		return
	}
	_, w.err = fmt.Fprintf(w.w, format, args...)
}

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
