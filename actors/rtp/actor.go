// Package rtp is the RTP socket actor: one per media line of a call. It owns the RTP/RTCP port
// pair, reads both sockets in goroutines it owns (they report each datagram back by message),
// depacketises and, for audio, transcodes to AAC, and sends the resulting frames straight to the
// call's subscribers (its RTMP publishers). It sends RTCP receiver reports while the call lasts
// and asks the device for keyframes (PLI, and FIR where negotiated) until one arrives.
package rtp

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/internal/udppoll"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/rtpstats"
)

// Kind is the media line an actor serves.
type Kind int

const (
	Audio Kind = iota
	Video
)

func (k Kind) String() string {
	if k == Video {
		return "video"
	}
	return "audio"
}

// reportInterval is how often receiver reports go out: RFC 3550's 5 s minimum for a session of
// two. It also paces keyframe requests while the publisher still waits for one.
const reportInterval = 5 * time.Second

// keyframeRetry is how soon a keyframe request is repeated while none has come: a lost PLI must
// not hold the stream back for a whole report interval.
const keyframeRetry = time.Second

// keyRequests is the actor's side of asking the device for key frames (PLI, FIR).
type keyRequests struct {
	want   bool      // a key frame is awaited: each tick repeats the request
	last   time.Time // the last request: repeats come keyframeRetry apart at most
	firSeq uint8     // the FIR command sequence number (RFC 5104 §4.3.1.1)
}

// Config builds an actor. Pair is bound by the caller (Ports.Bind) and owned by the actor from
// then on, also across restarts: a restart must not give the port away under a live SDP.
type Config struct {
	Kind    Kind
	CallID  string
	Pair    *Pair
	AACRate int // AAC output sample rate; 0 = the G.711 rate
	Media   MediaOptions
	Logger  *slog.Logger
	Now     func() time.Time
}

// kept is what an actor must not lose when its supervisor restarts it: what the SDP negotiated
// and where frames go. It is shared by the incarnations of one actor (never by two actors).
type kept struct {
	conf        *Configure
	subscribers []*actor.PID
	peer        *Peer
	taps        []*actor.PID // the viewers hub (tap.go)
}

// Actor is the RTP socket actor.
type Actor struct {
	cfg    Config
	kept   *kept
	log    *slog.Logger
	self   *actor.PID
	parent *actor.PID
	system *actor.ActorSystem

	conf        *Configure
	subscribers []*actor.PID
	path        *path // the packet path of conf: order → lip sync → the codec's pipe (pipe.go)
	stats       *rtpstats.Receiver
	ssrc        uint32 // our own SSRC for RTCP
	started     bool
	lastSPS     []byte
	keys        keyRequests
	readers     sync.WaitGroup        // the RTCP reader
	rtpReg      *udppoll.Registration // the RTP socket in the process's poller
	stopTicker  chan struct{}
	packetCount uint64
	lastRR      time.Time
	dtmf        *dtmfSender // RFC 4733 events being sent (audio only)
	tones       *toneSender // in-band DTMF being sent (inband.go)
	peerSt      *peerState  // the device's side: timeouts, latching, silence, events received
	meter       *metrics.RTPStream
	// rx is the packet being handled: a field rather than a local, as the path hands it on
	// through interfaces, which would move a local to the heap (an allocation per packet).
	rx pionrtp.Packet
}

// NewProps returns the props of an RTP actor.
func NewProps(cfg Config) *actor.Props {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	k := &kept{}
	return actor.PropsFromProducer(func() actor.Actor { return &Actor{cfg: cfg, kept: k} }, mailboxProps())
}

// Receive is the actor's mailbox loop.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.handleStarted(ctx)
	case *actor.Restarting:
		a.handleStopping()
	case *actor.Stopping:
		a.handleStopping()
	case *actor.Stopped:
		a.log.Info("actor stopped")
	case *Configure:
		a.handleConfigure(m)
	case *Subscribe:
		a.subscribers = m.Subscribers
		a.kept.subscribers = m.Subscribers
	case *Tap:
		a.handleTap(m)
	case *frame.KeyframeNeeded:
		a.keys.want = true
		a.requestKeyframe(true)
	case *packetRead:
		a.handlePacket(ctx, m)
	case *rtcpRead:
		a.handleRTCPRead(ctx, m)
	case *jitterTick:
		a.handleJitterTick()
	case *frame.DeviceKeyframe:
		a.keys.want = true
		a.requestKeyframe(true)
	case *readFailed:
		a.handleReadFailed(m)
	case *reportTick:
		a.handleTick()
		a.checkMedia(ctx)
	case *Peer:
		a.handlePeer(ctx, m)
	case *silenceTick:
		a.handleSilenceTick(m)
	case *SendDTMF:
		a.handleSendDTMF(ctx, m)
	case *SendTones:
		a.handleSendTones(ctx, m)
	case *dtmfTick:
		a.handleDTMFTick(ctx, m)
	case *ForcePanic:
		panic(fmt.Sprintf("rtp %s: forced panic for fault-injection test", a.cfg.Kind))
	}
}

func (a *Actor) handleStarted(ctx actor.Context) {
	a.self, a.parent, a.system = ctx.Self(), ctx.Parent(), ctx.ActorSystem()
	a.log = a.cfg.Logger.With("actor", "rtp", "kind", a.cfg.Kind.String(), "callId", a.cfg.CallID,
		"port", a.cfg.Pair.Port)
	a.ssrc = randomSSRC()
	a.meter = metrics.NewRTPStream(a.cfg.Kind.String())
	a.log.Info("actor started")
	// A restarted actor reopens its own port: the old sockets were closed in Restarting.
	if err := a.reopen(); err != nil {
		panic(fmt.Errorf("rtp: reopen port %d: %w", a.cfg.Pair.Port, err))
	}
	rd := &rtpReader{a: a}
	reg, err := a.cfg.Media.poller().Add(a.cfg.Pair.RTP, rd.handle, rd.panicked)
	if err != nil {
		panic(fmt.Errorf("rtp: read port %d: %w", a.cfg.Pair.Port, err))
	}
	a.rtpReg = reg
	a.readers.Add(1)
	go a.rtcpLoop(a.cfg.Pair.RTCP)
	a.stopTicker = make(chan struct{})
	go a.tickLoop(a.stopTicker)
	if a.kept.conf != nil {
		// A restarted incarnation: carry on with what was negotiated (video waits for a keyframe).
		a.subscribers = a.kept.subscribers
		a.handleConfigure(a.kept.conf)
	}
	if a.kept.peer != nil {
		a.handlePeer(ctx, a.kept.peer)
	}
}

func (a *Actor) handleStopping() {
	a.stopPeer()
	a.stopDTMF()
	a.stopTones("the media line stopped")
	a.closePath()
	a.meter.Close()
	if a.stopTicker != nil {
		close(a.stopTicker)
		a.stopTicker = nil
	}
	a.rtpReg.Remove() // before Close: the poller must not read a number the socket gave back
	a.rtpReg = nil
	a.cfg.Pair.Close()
	a.readers.Wait()
	a.log.Info("actor stopping", "packets", a.packetCount)
}

// reopen binds the pair again when a previous incarnation of this actor closed it.
func (a *Actor) reopen() error {
	p := a.cfg.Pair
	if !p.Closed() {
		return nil
	}
	laddr := p.RTP.LocalAddr().(*net.UDPAddr)
	rtpConn, err := net.ListenUDP("udp", laddr)
	if err != nil {
		return err
	}
	rtcpConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: laddr.IP, Port: laddr.Port + 1})
	if err != nil {
		_ = rtpConn.Close()
		return err
	}
	_ = rtpConn.SetReadBuffer(rtpReadBuffer)
	p.RTP, p.RTCP, p.closed = rtpConn, rtcpConn, false
	return nil
}

func (a *Actor) handleConfigure(m *Configure) {
	a.conf, a.kept.conf = m, m
	if p := a.peerSt; p != nil && (p.latched || p.rtcpLatched) && p.rtcp != nil {
		m.RemoteRTCP = p.rtcp // a new codec does not move the device: keep where latching found it
	}
	a.stats = rtpstats.NewReceiver(m.ClockRate)
	if err := a.buildPath(m); err != nil {
		// Not a transient fault: a restart would fail the same way.
		a.log.Error("configure", "err", err)
		return
	}
	if a.cfg.Kind == Video {
		a.keys.want = true // the publishers start on a key frame
	}
	a.log.Info("configured", "codec", m.Codec, "pt", m.PayloadType, "remoteRtcp", m.RemoteRTCP)
	a.requestKeyframe(true)
	a.describeTo(a.kept.taps)
}

func (a *Actor) handlePacket(ctx actor.Context, m *packetRead) {
	pkt := &a.rx
	*pkt = pionrtp.Packet{} // no CSRC or extension slice shared with a packet the jitter buffer holds
	if err := pkt.Unmarshal(m.buf); err != nil {
		return
	}
	if a.heardFrom(ctx, m.from, pkt) || a.conf == nil || pkt.PayloadType != a.conf.PayloadType {
		// Not media: a telephone event (taken above), RTCP muxed on the RTP port, comfort noise,
		// or a packet before the answer said what to expect.
		return
	}
	a.packetCount++
	a.meter.Packet(len(m.buf))
	a.stats.Update(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, m.arrival)
	if !a.started {
		a.started = true
		a.log.Info("first media packet", "ssrc", pkt.SSRC, "from", m.from)
		if ctx.Parent() != nil {
			ctx.Send(ctx.Parent(), &MediaStarted{Kind: a.cfg.Kind})
		}
	}
	a.deliver(pkt, m.arrival)
}

func (a *Actor) handleReadFailed(m *readFailed) {
	// The sockets close only when the actor stops; any other read error is a fault worth a restart.
	if a.cfg.Pair.Closed() {
		return
	}
	panic(fmt.Errorf("rtp: read (rtcp=%v): %w", m.rtcp, m.err))
}

func (a *Actor) handleTick() {
	if a.conf == nil || a.conf.RemoteRTCP == nil {
		return
	}
	if a.keys.want {
		a.requestKeyframe(false)
	}
	if a.cfg.Now().Sub(a.lastReport()) < reportInterval {
		return
	}
	a.sendReport()
}

func (a *Actor) requestKeyframe(force bool) {
	if a.cfg.Kind != Video || a.conf == nil || a.conf.RemoteRTCP == nil {
		return
	}
	now := a.cfg.Now()
	if !force && now.Sub(a.keys.last) < keyframeRetry {
		return
	}
	a.keys.last = now
	media := uint32(0)
	if a.stats != nil && a.stats.Started() {
		media = a.stats.SSRC
	}
	pkts := []rtcp.Packet{a.receiverReport(), &rtcp.PictureLossIndication{SenderSSRC: a.ssrc, MediaSSRC: media}}
	if a.conf.FIR {
		a.keys.firSeq++
		pkts = append(pkts, &rtcp.FullIntraRequest{SenderSSRC: a.ssrc, MediaSSRC: media,
			FIR: []rtcp.FIREntry{{SSRC: media, SequenceNumber: a.keys.firSeq}}})
	}
	a.writeRTCP(pkts...)
}
