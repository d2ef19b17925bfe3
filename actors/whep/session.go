package whep

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/protocol/playback"
)

// session is one WHEP viewer: its PeerConnection, its queue in the hub, and the goroutines that
// drain the queue into the connection and read the browser's RTCP.
type session struct {
	id, stream string
	answer     string
	srv        *Server
	hub        *actor.PID
	root       *actor.RootContext
	pc         *webrtc.PeerConnection
	sink       *viewer.Sink
	tracks     [2]*webrtc.TrackLocalStaticRTP // audio, video
	once       sync.Once
	started    time.Time
	// connected is set once the connection first reached connected: a session that did is
	// ended by ICE (disconnected, then failed), not by the connect timeout.
	connected atomic.Bool
}

// open builds the session's connection, answers the offer and joins the hub.
func (s *Server) open(ctx context.Context, stream string, hub *actor.PID, p *plan, offer string) (*session, error) {
	api, err := s.api(p)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	ss := &session{id: newID(), stream: stream, srv: s, hub: hub, root: s.cfg.System.Root, pc: pc,
		sink: viewer.NewSink("", s.cfg.Queue), started: time.Now()}
	ss.sink.ID = ss.id
	fail := func(err error) (*session, error) {
		_ = pc.Close()
		return nil, err
	}
	for i, c := range []*choice{p.audio, p.video} {
		if c == nil {
			continue
		}
		kind := "audio"
		if c.kind == webrtc.RTPCodecTypeVideo {
			kind = "video"
		}
		track, err := webrtc.NewTrackLocalStaticRTP(c.params.RTPCodecCapability, kind, "sipcast-"+stream)
		if err != nil {
			return fail(err)
		}
		sender, err := pc.AddTrack(track)
		if err != nil {
			return fail(err)
		}
		ss.tracks[i] = track
		go ss.readRTCP(sender)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(fmt.Errorf("%w: %v", playback.ErrBadOffer, err))
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", playback.ErrBadOffer, err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return fail(err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	ss.answer = pc.LocalDescription().SDP
	res, err := ss.root.RequestFuture(hub, &viewer.AddViewer{Sink: ss.sink, Audio: p.audio != nil}, askTimeout).Result()
	if err != nil {
		return fail(fmt.Errorf("%w: %q", playback.ErrNoStream, stream))
	}
	if err := res.(*viewer.AddViewerResponse).Err; err != nil {
		return fail(err)
	}
	if err := s.add(ss); err != nil {
		ss.root.Send(hub, &viewer.RemoveViewer{ID: ss.id})
		return fail(err)
	}
	pc.OnConnectionStateChange(ss.stateChanged)
	go ss.send()
	go ss.watchConnect(s.cfg.ConnectTimeout)
	s.log.Info("viewer session opened", "stream", stream, "session", ss.id,
		"audio", p.audio != nil, "video", p.video != nil)
	return ss, nil
}

// send drains the viewer's queue into its tracks until the hub closes it. Each viewer numbers
// its packets itself, so the packets the hub dropped for it leave no hole the browser would ask
// for again.
func (ss *session) send() {
	var seq [2]uint16
	for p := range ss.sink.Packets() {
		i := 0
		if p.Video {
			i = 1
		}
		t := ss.tracks[i]
		if t == nil {
			continue
		}
		h := p.RTP.Header
		h.SequenceNumber = seq[i]
		seq[i]++
		_ = t.WriteRTP(&pionrtp.Packet{Header: h, Payload: p.RTP.Payload})
	}
	ss.close("stream ended")
}

// readRTCP reads the browser's feedback for one track: reading is what runs the interceptors
// (NACKs are answered there); picture loss asks the hub for a key frame.
func (ss *session) readRTCP(sender *webrtc.RTPSender) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				ss.root.Send(ss.hub, &viewer.KeyframeWanted{})
			}
		}
	}
}

func (ss *session) stateChanged(st webrtc.PeerConnectionState) {
	switch st {
	case webrtc.PeerConnectionStateConnected:
		ss.connected.Store(true)
		ss.srv.log.Info("viewer connected", "stream", ss.stream, "session", ss.id, "after", time.Since(ss.started))
		ss.root.Send(ss.hub, &viewer.ViewerConnected{ID: ss.id})
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		ss.close("connection " + st.String())
	}
}

// watchConnect drops a session whose browser never connected.
func (ss *session) watchConnect(within time.Duration) {
	time.Sleep(within)
	if !ss.connected.Load() {
		ss.close("never connected")
	}
}

// close ends the session once: it leaves the hub (which closes the queue, ending send) and
// closes the connection.
func (ss *session) close(why string) {
	ss.once.Do(func() {
		ss.srv.forget(ss.id)
		ss.root.Send(ss.hub, &viewer.RemoveViewer{ID: ss.id})
		go func() { _ = ss.pc.Close() }()
		ss.srv.log.Info("viewer session closed", "stream", ss.stream, "session", ss.id, "why", why,
			"dropped", ss.sink.Dropped.Load())
	})
}
