package jitter

import (
	"fmt"
	"time"
)

const (
	// DefaultDepth is how long a packet waits for a missing earlier one when
	// Config.Depth is 0: long enough for a reordered packet on a real network
	// and for one NACK round trip on a nearby one, short enough that lip sync
	// and latency do not suffer.
	DefaultDepth = 100 * time.Millisecond
	// DefaultSize is the number of packets held when Config.Size is 0: 1.3 s
	// of video at 200 packets/s, 5 s of 20 ms audio.
	DefaultSize = 256
	// MaxSize bounds Config.Size: the buffer's memory is Size slots.
	MaxSize = 1 << 14

	// maxMisorder is how far behind the next expected packet one may be and
	// still count as late (RFC 3550 A.1's MAX_MISORDER); further behind it is
	// taken for a restarted sender once the packet after it confirms it.
	maxMisorder = 100
	// maxDropout is the longest forward jump taken as loss (RFC 3550 A.1's
	// MAX_DROPOUT); a longer one is a restart and counts no loss.
	maxDropout = 3000
	// maxNack bounds the missing packets reported after one arrival: a burst
	// longer than this is not worth retransmitting piecemeal.
	maxNack = 64
)

// Config sets a Buffer up. Zero values take the defaults.
type Config struct {
	// Depth is the longest a packet waits for a missing earlier one.
	// Default DefaultDepth.
	Depth time.Duration
	// Size is the most packets held, a power of two ≤ MaxSize. Default
	// DefaultSize. A gap wider than Size is given up at once.
	Size int
}

// Released is a packet let out of the buffer, in sequence order.
type Released[T any] struct {
	Item T
	Seq  uint16
	// Lost is how many packets just before this one were given up.
	Lost int
}

// Stats counts what the buffer saw.
type Stats struct {
	Packets    uint64 // pushed
	Reordered  uint64 // arrived after a later one and were put back in place
	Duplicates uint64 // copies of a packet already held
	Late       uint64 // older than what was already released (late or duplicate)
	Lost       uint64 // given up on
	Restarts   uint64 // the sender's sequence jumped: a new start
}

type slot[T any] struct {
	item    T
	arrival time.Time
	seq     uint16
	used    bool
}

type stray[T any] struct {
	slot[T]
	held bool
}

// Buffer reorders the packets of one RTP stream. Create it with New.
type Buffer[T any] struct {
	depth time.Duration
	slots []slot[T]
	mask  uint16

	started bool
	next    uint16 // the sequence number to release next
	end     uint16 // one past the highest sequence number seen
	count   int    // packets held
	lost    int    // gap given up just before next, reported with it
	stray   stray[T]
	missing []uint16
	stats   Stats
}

// New makes a buffer for items of type T (the caller's packet).
func New[T any](cfg Config) (*Buffer[T], error) {
	if cfg.Depth == 0 {
		cfg.Depth = DefaultDepth
	}
	if cfg.Size == 0 {
		cfg.Size = DefaultSize
	}
	if cfg.Depth < 0 || cfg.Size < 2 || cfg.Size > MaxSize || cfg.Size&(cfg.Size-1) != 0 {
		return nil, fmt.Errorf("%w: depth %v, size %d", ErrConfig, cfg.Depth, cfg.Size)
	}
	return &Buffer[T]{depth: cfg.Depth, slots: make([]slot[T], cfg.Size), mask: uint16(cfg.Size - 1)}, nil
}

// Push adds the packet with sequence number seq, received at now, and appends
// to out what can be released: it, and what waited behind it, or what waited
// too long (as Expire).
func (b *Buffer[T]) Push(seq uint16, item T, now time.Time, out []Released[T]) []Released[T] {
	b.stats.Packets++
	if !b.started {
		b.started, b.next, b.end = true, seq, seq
	}
	switch d := int16(seq - b.next); {
	case d < -maxMisorder:
		return b.pushStray(seq, item, now, out)
	case d < 0:
		b.stats.Late++
		return b.Expire(now, out)
	case int(d) > maxDropout:
		out = b.Flush(out)
		b.stats.Restarts++
		b.next, b.end = seq, seq
	case int(d) >= len(b.slots):
		// Wider than the buffer: give up the oldest gaps to make room.
		out = b.skipTo(seq-uint16(len(b.slots))+1, out)
	}
	b.stray.held = false
	s := &b.slots[seq&b.mask]
	if s.used {
		b.stats.Duplicates++
		return b.Expire(now, out)
	}
	if ahead := seq - b.next; ahead < b.end-b.next {
		b.stats.Reordered++
	} else {
		b.noteMissing(seq)
		b.end = seq + 1
	}
	*s = slot[T]{item: item, arrival: now, seq: seq, used: true}
	b.count++
	return b.Expire(now, b.release(out))
}

// pushStray handles a packet far behind: late beyond any reorder, or the first
// of a sender that restarted lower. It is held; if the next packet follows it,
// the sender did restart and both go out.
func (b *Buffer[T]) pushStray(seq uint16, item T, now time.Time, out []Released[T]) []Released[T] {
	if b.stray.held && seq == b.stray.seq+1 {
		first := b.stray.slot
		out = b.Flush(out)
		b.stats.Restarts++
		b.stray.held = false
		b.next, b.end = first.seq, seq+1
		out = append(out, Released[T]{Item: first.item, Seq: first.seq})
		b.next++
		out = append(out, Released[T]{Item: item, Seq: seq})
		b.next++
		return b.Expire(now, out)
	}
	b.stats.Late++
	b.stray = stray[T]{slot: slot[T]{item: item, arrival: now, seq: seq, used: true}, held: true}
	return b.Expire(now, out)
}

// noteMissing records the packets between the highest seen and seq as
// missing, for the caller's NACK.
func (b *Buffer[T]) noteMissing(seq uint16) {
	gap := int(seq - b.end)
	if gap == 0 || gap > maxNack {
		return
	}
	for s := b.end; s != seq; s++ {
		b.missing = append(b.missing, s)
	}
}

// Missing appends the sequence numbers found missing since the last call
// (each reported once) to dst.
func (b *Buffer[T]) Missing(dst []uint16) []uint16 {
	dst = append(dst, b.missing...)
	b.missing = b.missing[:0]
	return dst
}

// Expire gives up the gaps that packets waited behind for Depth or longer at
// now, and appends what that releases to out.
func (b *Buffer[T]) Expire(now time.Time, out []Released[T]) []Released[T] {
	for b.count > 0 {
		oldest, first := b.oldest()
		if now.Sub(oldest) < b.depth {
			break
		}
		out = b.skipTo(first, out)
	}
	return out
}

// Deadline is when Expire will next have something to give up; ok is false
// when nothing waits.
func (b *Buffer[T]) Deadline() (at time.Time, ok bool) {
	if b.count == 0 {
		return time.Time{}, false
	}
	oldest, _ := b.oldest()
	return oldest.Add(b.depth), true
}

// Flush releases everything held, giving up the gaps between.
func (b *Buffer[T]) Flush(out []Released[T]) []Released[T] {
	return b.skipTo(b.end, out)
}

// Reset forgets everything, held packets included, as for a new SSRC.
func (b *Buffer[T]) Reset() {
	clear(b.slots)
	b.started, b.count, b.lost, b.stray, b.missing = false, 0, 0, stray[T]{}, b.missing[:0]
}

// Stats returns the counters.
func (b *Buffer[T]) Stats() Stats { return b.stats }

// Len is the number of packets held.
func (b *Buffer[T]) Len() int { return b.count }

// oldest returns the earliest arrival among the held packets and the lowest
// held sequence number.
func (b *Buffer[T]) oldest() (time.Time, uint16) {
	var at time.Time
	first, found := uint16(0), false
	for s := b.next; s != b.end; s++ {
		sl := &b.slots[s&b.mask]
		if !sl.used {
			continue
		}
		if !found {
			first, found = s, true
		}
		if at.IsZero() || sl.arrival.Before(at) {
			at = sl.arrival
		}
	}
	return at, first
}

// skipTo releases every held packet before seq and gives up the gaps, then
// releases what follows in order.
func (b *Buffer[T]) skipTo(seq uint16, out []Released[T]) []Released[T] {
	for b.next != seq {
		if d := int16(seq - b.next); d < 0 {
			break
		}
		s := &b.slots[b.next&b.mask]
		if s.used && s.seq == b.next {
			out = b.emit(s, out)
			continue
		}
		b.lost++
		b.stats.Lost++
		b.next++
	}
	if int16(b.end-b.next) < 0 {
		b.end = b.next
	}
	return b.release(out)
}

// release lets out the packets that follow next without a gap.
func (b *Buffer[T]) release(out []Released[T]) []Released[T] {
	for {
		s := &b.slots[b.next&b.mask]
		if !s.used || s.seq != b.next {
			return out
		}
		out = b.emit(s, out)
	}
}

func (b *Buffer[T]) emit(s *slot[T], out []Released[T]) []Released[T] {
	out = append(out, Released[T]{Item: s.item, Seq: s.seq, Lost: b.lost})
	*s = slot[T]{}
	b.lost = 0
	b.count--
	b.next++
	return out
}
