package aac

import (
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

// surveyEnv runs TestSurveyOptions, which takes a minute: it measured the
// option sets that chose the defaults (bench/RESULTS.md, "Issue 14").
//
//	SIPCAST_AAC_SURVEY=1 go test -run Survey -v ./media/aac/
const surveyEnv = "SIPCAST_AAC_SURVEY"

// cpuTime is the process's user+system CPU time: unlike the wall clock it
// does not count time other processes held the cores.
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuPerSecond is the median CPU that encoding one second of in costs, in
// µs, over reps runs of the whole of in in 20 ms pieces.
func cpuPerSecond(t testing.TB, cfg Config, in []int16, reps int) float64 {
	e := newTestEncoder(t, cfg)
	piece := cfg.InputRate / 50
	encodeAll(t, e, in[:min(len(in), cfg.InputRate)], piece) // warm up
	var runs []float64
	for range reps {
		t0 := cpuTime(t)
		for off := 0; off+piece <= len(in); off += piece {
			if _, err := e.Encode(in[off : off+piece]); err != nil {
				t.Fatal(err)
			}
		}
		seconds := float64(len(in)) / float64(cfg.InputRate)
		runs = append(runs, float64((cpuTime(t)-t0).Microseconds())/seconds)
	}
	slices.Sort(runs)
	return runs[len(runs)/2]
}

func TestSurveyOptions(t *testing.T) {
	if os.Getenv(surveyEnv) == "" {
		t.Skip("set " + surveyEnv + "=1 to survey the encoder's options")
	}
	sp := speech(t)
	// quality 0 is constant bitrate here; bitrate 0 the Config default.
	sets := []struct {
		out, bitrate int
		quality      float64
		coder        Coder
		opts         string
	}{
		{8000, 0, 0, CoderFast, ""},
		{8000, 0, 0, CoderFast, "aac_is=0:aac_ms=0"},
		{8000, 0, 0, CoderFast, "aac_pns=0"},
		{8000, 0, 0, CoderFast, "aac_tns=0"},
		{8000, 0, 0, CoderFast, "cutoff=3400"},
		{8000, 0, 0, CoderFast, "cutoff=3800"},
		{8000, 24000, 0, CoderFast, ""},
		{8000, 0, 0, CoderTwoLoop, ""},
		{8000, 0, 1.1, CoderFast, ""},
		{8000, 0, 1.2, CoderFast, ""},
		{8000, 0, 1.3, CoderFast, ""},
		{8000, 0, 1.4, CoderFast, ""},
		{8000, 0, 1.5, CoderFast, ""},
		{8000, 0, 1.3, CoderFast, "aac_tns=0"},
		{48000, 64000, 0, CoderFast, ""},
		{48000, 64000, 0, CoderFast, "aac_tns=0:aac_pns=0"},
		{48000, 64000, 0, CoderFast, "cutoff=4000"},
		{48000, 56000, 0, CoderFast, "cutoff=4000"},
		{48000, 48000, 0, CoderFast, "cutoff=4000"},
		{48000, 40000, 0, CoderFast, "cutoff=4000"},
		{48000, 32000, 0, CoderFast, "cutoff=4000"},
		{48000, 48000, 1.1, CoderFast, "cutoff=4000"},
		{48000, 48000, 1.3, CoderFast, "cutoff=4000"},
		{44100, 64000, 0, CoderFast, ""},
		{44100, 48000, 0, CoderFast, "cutoff=4000"},
		{44100, 48000, 1.3, CoderFast, "cutoff=4000"},
	}
	t.Logf("| out Hz | bit/s set | quality | coder | options | SNR dB | LSD dB | level dB | bit/s spent |")
	for _, s := range sets {
		// Cutoff -1: libavcodec's own unless the options set one.
		cfg := Config{InputRate: 8000, OutputRate: s.out, Bitrate: s.bitrate, Cutoff: -1, Quality: s.quality, Coder: s.coder, options: s.opts}
		if s.quality == 0 {
			cfg.Quality = -1
		}
		q := speechQuality(t, cfg, sp)
		t.Logf("| %d | %d | %.1f | %s | %s | %.1f | %.2f | %+.2f | %.0f |", s.out, s.bitrate, s.quality, s.coder, s.opts, q.SNR, q.LSD, q.Level, q.Bitrate)
	}
}
