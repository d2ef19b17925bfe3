package peers

import (
	"maps"
	"net"
	"sync"
	"testing"

	"github.com/pion/rtp"
)

// rtpSink counts the RTP packets arriving on one UDP port.
type rtpSink struct {
	conn *net.UDPConn
	done chan struct{}

	mu      sync.Mutex
	byPT    map[uint8]int
	ssrcs   map[uint32]bool
	sources map[string]bool
	markers int
	nalus   map[uint8]int // H.264 packet types (first byte of the payload)
	units   map[uint8]int // H.264 NAL unit types inside, see h264Units
	bad     int           // datagrams that are not RTP
}

func newRTPSink(t *testing.T, port int) *rtpSink {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSink{
		conn: conn, done: make(chan struct{}),
		byPT: map[uint8]int{}, ssrcs: map[uint32]bool{}, sources: map[string]bool{}, nalus: map[uint8]int{}, units: map[uint8]int{},
	}
	go s.run()
	t.Cleanup(s.close)
	return s
}

func (s *rtpSink) run() {
	defer close(s.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		var p rtp.Packet
		s.mu.Lock()
		if err := p.Unmarshal(buf[:n]); err != nil || len(p.Payload) == 0 {
			s.bad++
		} else {
			s.byPT[p.PayloadType]++
			s.ssrcs[p.SSRC] = true
			s.sources[from.String()] = true
			if p.Marker {
				s.markers++
			}
			s.nalus[p.Payload[0]&0x1f]++
			for _, u := range h264Units(p.Payload) {
				s.units[u]++
			}
		}
		s.mu.Unlock()
	}
}

func (s *rtpSink) close() {
	s.conn.Close()
	<-s.done
}

// snapshot returns a copy of the counters.
func (s *rtpSink) snapshot() (byPT, nalus, units map[uint8]int, markers, ssrcs int, sources []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byPT, nalus, units = maps.Clone(s.byPT), maps.Clone(s.nalus), maps.Clone(s.units)
	for src := range s.sources {
		sources = append(sources, src)
	}
	return byPT, nalus, units, s.markers, len(s.ssrcs), sources
}

// h264Units returns the types of the NAL units an RTP H.264 payload starts
// or carries whole: a single NAL unit, each unit of a STAP-A (24), the
// unit a FU-A (28) starts; nothing for FU-A continuations.
func h264Units(payload []byte) []uint8 {
	if len(payload) == 0 {
		return nil
	}
	switch t := payload[0] & 0x1f; t {
	case 24:
		var units []uint8
		for rest := payload[1:]; len(rest) >= 3; {
			n := int(rest[0])<<8 | int(rest[1])
			if n == 0 || 2+n > len(rest) {
				break
			}
			units = append(units, rest[2]&0x1f)
			rest = rest[2+n:]
		}
		return units
	case 28:
		if len(payload) >= 2 && payload[1]&0x80 != 0 {
			return []uint8{payload[1] & 0x1f}
		}
		return nil
	default:
		return []uint8{t}
	}
}
