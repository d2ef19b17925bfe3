package rtmpserver

import (
	"context"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"

	"github.com/bluenviron/gortmplib"

	"github.com/sipcast/sipcast/internal/testutil"
)

// stalledPlayer plays name and then never reads: with a tiny receive buffer
// the server's socket fills within seconds.
func stalledPlayer(t *testing.T, s *Server, name string) {
	t.Helper()
	u, err := url.Parse("rtmp://" + s.ListenAddr().String() + "/live#" + name)
	if err != nil {
		t.Fatal(err)
	}
	c := &gortmplib.Client{URL: u, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096) // also stops the kernel growing it
		}
		return conn, err
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
}

func TestStalledPlayerDoesNotBlockPublisherOrOthers(t *testing.T) {
	m := loadMediaSize(t, "1280x720") // a few Mbit/s: the buffers fill fast
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, func(s *Server) {
		s.PlayerQueue = 16
		s.WriteTimeout = 3 * time.Second
	})
	startPublisher(t, s, "slow", m, nil)
	testutil.WaitFor(t, 10*time.Second, "publication", func() bool {
		ss, _ := s.Stats("live", "slow")
		return ss.VideoFrames > 0
	})
	stalledPlayer(t, s, "slow")

	// A healthy player, meanwhile, gets every frame in real time.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type result struct {
		p   *played
		err error
	}
	res := make(chan result, 1)
	go func() {
		p, err := playClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#slow", 4*mediaFrameRate)
		res <- result{p, err}
	}()

	start := time.Now()
	testutil.WaitFor(t, 20*time.Second, "the stalled player to overflow", func() bool {
		ss, _ := s.Stats("live", "slow")
		return ss.Dropped > 0
	})
	elapsed := time.Since(start).Seconds()
	// The publisher's rate with the stalled player on board, over a window of its own: the
	// overflow itself may come at once (a 16-frame queue), and a rate over no time says nothing.
	const window = 2 * time.Second
	before, _ := s.Stats("live", "slow")
	time.Sleep(window)
	after, _ := s.Stats("live", "slow")
	if fps := float64(after.VideoFrames-before.VideoFrames) / window.Seconds(); fps < 20 {
		t.Errorf("publisher slowed to %.1f fps by the stalled player", fps)
	}
	r := <-res
	if r.err != nil {
		t.Fatalf("healthy player: %v", r.err)
	}
	if !r.p.firstVideoKey || !r.p.dtsIncreasing {
		t.Errorf("healthy player: %+v", r.p)
	}
	t.Logf("stalled player overflowed after %.1fs", elapsed)

	// Its writes then block; WriteTimeout disconnects it.
	testutil.WaitFor(t, 10*time.Second, "the stalled player to be dropped", func() bool {
		ss, _ := s.Stats("live", "slow")
		return ss.Players == 0
	})
}
