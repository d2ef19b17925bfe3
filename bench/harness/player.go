package harness

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/message"
)

// playerConnectTimeout bounds connect + play on the RTMP server.
const playerConnectTimeout = 10 * time.Second

// Nominal frame durations of the benchmark media, to turn a stream's
// timestamp span into the number of frames it should hold.
const (
	videoFrameDur = 40 * time.Millisecond // 25 fps
	// aacFrameDur is one AAC-LC frame (1024 samples) at G.711's 8000 Hz:
	// both sipcast and the ffmpeg relay keep the input rate.
	aacFrameDur = 128 * time.Millisecond
)

// trackStats counts one track's frames as a player receives them.
type trackStats struct {
	Frames   int           `json:"frames"`
	First    time.Time     `json:"-"` // arrival of the first frame
	Last     time.Time     `json:"-"` // arrival of the last frame
	FirstDTS time.Duration `json:"-"`
	LastDTS  time.Duration `json:"-"`
	// Gaps counts timestamp steps longer than 1.5 frame durations: frames
	// lost before the RTMP server.
	Gaps int `json:"gaps"`
}

// expected is how many frames the span between the first and the last
// timestamp should hold at the nominal frame duration.
func (s trackStats) expected(frame time.Duration) int {
	if s.Frames == 0 {
		return 0
	}
	return int((s.LastDTS-s.FirstDTS+frame/2)/frame) + 1
}

func (s *trackStats) add(dts time.Duration, frame time.Duration) {
	now := time.Now()
	if s.Frames == 0 {
		s.First, s.FirstDTS = now, dts
	} else if dts-s.LastDTS > frame*3/2 {
		s.Gaps++
	}
	s.Frames++
	s.Last, s.LastDTS = now, dts
}

// player plays one stream from the RTMP server and counts what it gets:
// the real-peer view of what a publisher delivered. It is attached before
// the publisher starts, so it sees every frame from the first.
type player struct {
	client *gortmplib.Client
	done   chan struct{}

	mu    sync.Mutex
	video trackStats
	audio trackStats
	err   error
}

// startPlayer connects to app (rtmp://host:port/app), plays stream and
// reads it in a goroutine until close.
func startPlayer(ctx context.Context, app, stream string) (*player, error) {
	u, err := url.Parse(app)
	if err != nil {
		return nil, err
	}
	u.Fragment = stream // gortmplib takes the stream name from the fragment
	ctx, cancel := context.WithTimeout(ctx, playerConnectTimeout)
	defer cancel()
	c := &gortmplib.Client{URL: u}
	if err := c.Initialize(ctx); err != nil {
		return nil, err
	}
	p := &player{client: c, done: make(chan struct{})}
	go p.run()
	return p, nil
}

func (p *player) run() {
	defer close(p.done)
	for {
		msg, err := p.client.Read()
		if err != nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
			return
		}
		switch m := msg.(type) {
		case *message.Video:
			if m.Type == message.VideoTypeAU {
				p.mu.Lock()
				p.video.add(m.DTS, videoFrameDur)
				p.mu.Unlock()
			}
		case *message.Audio:
			if m.Codec != message.CodecMPEG4Audio || m.AACType == message.AudioAACTypeAU {
				p.mu.Lock()
				p.audio.add(m.DTS, aacFrameDur)
				p.mu.Unlock()
			}
		}
	}
}

// stats returns the counts so far.
func (p *player) stats() (video, audio trackStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.video, p.audio
}

// failure is why the player stopped reading, nil while it reads: a stream whose player lost its
// connection to the RTMP server stopped at the harness's end, not necessarily at sipcast's.
func (p *player) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// close disconnects and returns the final counts.
func (p *player) close() (video, audio trackStats) {
	p.client.Close()
	<-p.done
	return p.stats()
}
