// Package whep serves WHEP (draft-ietf-wish-whep) viewers of live calls: for each offer it finds
// the call's viewers hub by toStream, answers with the call's own codecs (Speex, which browsers
// lack, as Opus: the hub re-encodes it once for all viewers), and runs a WebRTC session that
// sends the hub's packets to the browser. Every session shares one
// UDP port (pion's ICE UDP mux); sipcast is ICE-lite, the browser does the checks.
package whep

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/playback"
)

// Defaults of Config.
const (
	DefaultUDPPort = 8189
	// DefaultConnectTimeout is how long a session may take to connect before it is dropped: a
	// browser that took an answer and went away must not hold a viewer's place.
	DefaultConnectTimeout = 15 * time.Second
	askTimeout            = 5 * time.Second
)

// Config builds a Server.
type Config struct {
	System    *actor.ActorSystem
	Directory *viewer.Directory
	// ListenIP is the address of the UDP port (the SIP address); "" or unspecified listens on
	// every interface.
	ListenIP string
	// UDPPort is the one UDP port of every session. Default DefaultUDPPort; tests pick a free one.
	UDPPort int
	// PublicIP is the address put in the candidates (1:1 NAT); default ListenIP when specific.
	PublicIP string
	// Queue is each viewer's queue in packets (default viewer.DefaultQueue).
	Queue int
	// ConnectTimeout: see DefaultConnectTimeout.
	ConnectTimeout time.Duration
	Logger         *slog.Logger
}

// Server is the WHEP service.
type Server struct {
	cfg  Config
	log  *slog.Logger
	conn net.PacketConn
	mux  ice.UDPMux

	mu       sync.Mutex
	sessions map[string]*session
	closed   bool
}

// New binds the UDP port. It fails when the port is taken (the caller decides whether that is
// fatal).
func New(cfg Config) (*Server, error) {
	if cfg.UDPPort == 0 {
		cfg.UDPPort = DefaultUDPPort
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ip := net.ParseIP(cfg.ListenIP)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: cfg.UDPPort})
	if err != nil {
		return nil, fmt.Errorf("%w: WebRTC UDP port %d: %v", playback.ErrUnavailable, cfg.UDPPort, err)
	}
	if cfg.PublicIP == "" && ip != nil && !ip.IsUnspecified() {
		cfg.PublicIP = ip.String()
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "whep"), conn: conn,
		sessions: map[string]*session{}}
	s.mux = webrtc.NewICEUDPMux(nil, conn)
	return s, nil
}

// Addr is the UDP address every session uses.
func (s *Server) Addr() net.Addr { return s.conn.LocalAddr() }

// Close ends every session and releases the port.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	all := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		all = append(all, ss)
	}
	s.mu.Unlock()
	for _, ss := range all {
		ss.close("server stopping")
	}
	_ = s.mux.Close()
	_ = s.conn.Close()
}

// Offer answers a WHEP offer for stream: the session's id and the SDP answer, candidates
// included.
func (s *Server) Offer(ctx context.Context, stream string, body []byte) (id, answer string, err error) {
	defer func() {
		if err != nil {
			metrics.ViewersRefused.With(refusal(err)).Inc()
		}
	}()
	offer, err := playback.ParseOffer(body)
	if err != nil {
		return "", "", err
	}
	hub := s.cfg.Directory.Lookup(stream)
	if hub == nil {
		return "", "", fmt.Errorf("%w: %q", playback.ErrNoStream, stream)
	}
	res, err := s.cfg.System.Root.RequestFuture(hub, &viewer.Describe{}, askTimeout).Result()
	if err != nil {
		return "", "", fmt.Errorf("%w: %q", playback.ErrNoStream, stream)
	}
	desc := res.(*viewer.Description)
	if desc.Audio == nil && desc.Video == nil {
		return "", "", fmt.Errorf("%w: %q", playback.ErrNoMedia, stream)
	}
	plan, err := planFor(offer, desc)
	if err != nil {
		return "", "", err
	}
	ss, err := s.open(ctx, stream, hub, plan, string(body))
	if err != nil {
		return "", "", err
	}
	return ss.id, ss.answer, nil
}

// Delete ends a session (the WHEP DELETE on its Location).
func (s *Server) Delete(ctx context.Context, stream, id string) error {
	s.mu.Lock()
	ss := s.sessions[id]
	s.mu.Unlock()
	if ss == nil || ss.stream != stream {
		return fmt.Errorf("%w: %q", playback.ErrNoSession, id)
	}
	ss.close("deleted by the client")
	return nil
}

// Sessions is the number of open sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

func (s *Server) add(ss *session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return playback.ErrUnavailable
	}
	s.sessions[ss.id] = ss
	metrics.Viewers.Add(1)
	return nil
}

func (s *Server) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; ok {
		delete(s.sessions, id)
		metrics.Viewers.Add(-1)
	}
}

// api builds the WebRTC API of one session: only the codecs of its plan, one shared UDP port.
func (s *Server) api(p *plan) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	for _, c := range p.codecs() {
		if err := m.RegisterCodec(c.params, c.kind); err != nil {
			return nil, err
		}
	}
	var se webrtc.SettingEngine
	se.SetICEUDPMux(s.mux)
	se.SetLite(true)
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if s.cfg.PublicIP != "" {
		se.SetNAT1To1IPs([]string{s.cfg.PublicIP}, webrtc.ICECandidateTypeHost)
	}
	// A browser that vanished is found by ICE within seconds, not the 30 s default.
	se.SetICETimeouts(5*time.Second, 10*time.Second, 2*time.Second)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se),
		webrtc.WithInterceptorRegistry(interceptors(m))), nil
}

// newID is a session id: random, unguessable, URL-safe.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// refusal names an error for the refused-offers metric.
func refusal(err error) string {
	for _, r := range []struct {
		err  error
		name string
	}{
		{playback.ErrBadOffer, "bad_offer"}, {playback.ErrCodecMismatch, "codec_mismatch"},
		{playback.ErrNoStream, "no_stream"}, {playback.ErrNoMedia, "no_media"},
		{playback.ErrTooManyViewers, "too_many_viewers"},
	} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "error"
}

func itoa(n int) string { return strconv.Itoa(n) }
