package metrics

import (
	"bytes"
	"sync"
	"testing"
)

// CheckText fails the test when text is not valid Prometheus text, and returns its samples.
func CheckText(t testing.TB, text string) map[string]string {
	t.Helper()
	samples, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

func TestWrite(t *testing.T) {
	s := NewRTPStream("video")
	defer s.Close()
	s.Packet(1200)
	s.Report(3, 900, 90000) // 10 ms
	s.Report(5, 900, 90000)
	s.Report(1, 900, 90000) // restarted source: no decrease
	NotifyDropped.With("retries").Inc()
	CallsEnded.With("FINISH").Inc()
	var b bytes.Buffer
	if err := Write(&b); err != nil {
		t.Fatal(err)
	}
	got := CheckText(t, b.String())
	for name, want := range map[string]string{
		`sipcast_rtp_packets_total{kind="video"}`:           "1",
		`sipcast_rtp_bytes_total{kind="video"}`:             "1200",
		`sipcast_rtp_packets_lost_total{kind="video"}`:      "5",
		`sipcast_rtp_jitter_seconds{kind="video"}`:          "0.01",
		`sipcast_rtp_streams{kind="video"}`:                 "1",
		`sipcast_notify_dropped_total{reason="retries"}`:    "1",
		`sipcast_notify_dropped_total{reason="queue_full"}`: "0",
		`sipcast_calls_ended_total{status="FINISH"}`:        "1",
		`sipcast_rtmp_reconnects_total`:                     "0",
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
}

func TestEscaping(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Header("x", "gauge", "a\\b\nc")
	w.Sample("x", 1.5, "l", "q\"\\\n")
	got := CheckText(t, b.String())
	if got[`x{l="q\"\\\n"}`] != "1.5" {
		t.Fatalf("%q", b.String())
	}
}

func TestNilStream(t *testing.T) {
	var s *RTPStream
	s.Packet(1)
	s.Report(1, 1, 1)
	s.Close()
}

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := NewRTPStream("audio")
			for range 1000 {
				s.Packet(172)
			}
			s.Close()
			DTMFSent.With("INFO").Inc()
		}()
	}
	var b bytes.Buffer
	_ = Write(&b)
	wg.Wait()
	if DTMFSent.With("INFO").Value() != 4 {
		t.Fatal("lost increments")
	}
}

func BenchmarkPacket(b *testing.B) {
	b.ReportAllocs()
	s := NewRTPStream("audio")
	defer s.Close()
	for b.Loop() {
		s.Packet(172)
	}
}

func BenchmarkWrite(b *testing.B) {
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		_ = Write(&buf)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, text := range []string{
		"x 1\n",                                // no TYPE
		"# TYPE x counter\n# TYPE x counter\n", // twice
		"# TYPE x summary\n",                   // a type sipcast never writes
		"# TYPE x gauge\nx{a=b} 1\n",           // unquoted label
		"# TYPE x gauge\nx 1\nx 2\n",           // repeated sample
		"# TYPE x gauge\nx one\n",              // not a number
	} {
		if _, err := Parse(text); err == nil {
			t.Errorf("accepted %q", text)
		}
	}
}
