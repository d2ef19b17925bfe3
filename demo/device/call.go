package device

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
)

// maxLag: when the loop wakes this late (the process was descheduled), the
// schedule slides instead of sending the backlog in one burst, which the
// gateway would see as a network spike rather than as the device's pacing.
const maxLag = 500 * time.Millisecond

// byeTimeout bounds the device's own BYE (at HangupAfter or on Close): a
// caller that never answers must not hold Close for Timer F's 32 s.
const byeTimeout = 2 * time.Second

// output is one RTP stream the call sends.
type output struct {
	src  rtpSource
	conn *net.UDPConn
	dest *net.UDPAddr
}

// call is one answered call: its media sockets and the single goroutine
// (run) that paces every packet it sends.
type call struct {
	d       *Device
	dlg     *sipgo.DialogServerSession
	log     *slog.Logger
	answer  []byte
	pairs   []*portPair
	outs    []output
	readers sync.WaitGroup // the discard loops
}

// newCall binds the media sockets for the accepted lines and writes the
// answer that points the caller at them.
func (d *Device) newCall(dlg *sipgo.DialogServerSession, lines []answerLine, log *slog.Logger) (*call, error) {
	c := &call{d: d, dlg: dlg, log: log}
	ports := map[string]int{}
	for _, l := range lines {
		if !l.accepted {
			continue
		}
		pp, err := listenPair(d.ip)
		if err != nil {
			c.closeMedia()
			return nil, err
		}
		c.pairs = append(c.pairs, pp)
		ports[l.kind] = pp.port()
		if l.sends() {
			c.outs = append(c.outs, output{src: d.source(l), conn: pp.rtp, dest: l.dest})
		}
	}
	c.answer = buildAnswer(lines, d.ip, ports, d.cap.fmtp, rand.Uint64N(1<<62))
	return c, nil
}

// source makes the RTP stream of an accepted audio or video line.
func (d *Device) source(l answerLine) rtpSource {
	ids := rtpIDs{pt: l.pt, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), tsBase: rand.Uint32()}
	if l.kind == "video" {
		return &videoSource{cap: d.cap, ids: ids}
	}
	return &audioSource{frames: d.tone, ids: ids}
}

// run streams until the caller hangs up, HangupAfter passes or ctx ends
// (the last two send the device's BYE). It then closes the media sockets.
func (c *call) run(ctx context.Context, hangupAfter time.Duration) {
	defer c.closeMedia()
	defer c.dlg.Close()
	for _, p := range c.pairs {
		p.discard(&c.readers, &c.d.received)
	}
	var hangup <-chan time.Time
	if hangupAfter > 0 {
		t := time.NewTimer(hangupAfter)
		defer t.Stop()
		hangup = t.C
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	start := time.Now()
	buf := make([]byte, 0, maxDatagram)
	for {
		select {
		case <-timer.C:
		case <-c.dlg.Context().Done():
			c.log.Debug("caller hung up")
			return
		case <-hangup:
			c.bye("hang-up time reached")
			return
		case <-ctx.Done():
			c.bye("device stopping")
			return
		}
		start = c.sendDue(start, &buf)
		if len(c.outs) > 0 {
			timer.Reset(time.Until(start.Add(c.nextAt())))
		}
	}
}

// nextAt is when the earliest of the call's streams is due.
func (c *call) nextAt() time.Duration {
	next := c.outs[0].src.nextAt()
	for _, o := range c.outs[1:] {
		next = min(next, o.src.nextAt())
	}
	return next
}

// sendDue sends every packet due by now and returns the (possibly slid)
// start of the schedule.
func (c *call) sendDue(start time.Time, buf *[]byte) time.Time {
	if len(c.outs) == 0 {
		return start
	}
	now := time.Since(start)
	if lag := now - c.nextAt(); lag > maxLag {
		start = start.Add(lag)
		now -= lag
	}
	for _, o := range c.outs {
		for o.src.nextAt() <= now {
			*buf = o.src.packet(*buf)
			if _, err := o.conn.WriteToUDP(*buf, o.dest); err != nil {
				c.d.sendErrors.Add(1)
			}
		}
	}
	return start
}

// bye ends the dialog from the device's side.
func (c *call) bye(why string) {
	ctx, cancel := context.WithTimeout(context.Background(), byeTimeout)
	defer cancel()
	err := c.dlg.Bye(ctx)
	c.log.Debug("device hung up", "why", why, "err", err)
}

// closeMedia closes the sockets and waits for their discard loops.
func (c *call) closeMedia() {
	for _, p := range c.pairs {
		p.close()
	}
	c.readers.Wait()
}
