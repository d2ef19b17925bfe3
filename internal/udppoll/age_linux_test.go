//go:build linux

package udppoll

import (
	"net"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// stamp builds one control message as the kernel writes it.
func stamp(level, typ int32, at time.Time) []byte {
	b := make([]byte, ctrlSpace)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))))
	ts := (*unix.Timespec)(unsafe.Pointer(&b[unix.CmsgLen(0)]))
	*ts = unix.NsecToTimespec(at.UnixNano())
	return b
}

var ageCases = []struct {
	name string
	ctrl func(now time.Time) []byte
	want time.Duration
}{
	{"none", func(time.Time) []byte { return nil }, 0},
	{"3 ms ago", func(now time.Time) []byte {
		return stamp(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, now.Add(-3*time.Millisecond))
	}, 3 * time.Millisecond},
	{"in the future (clock stepped back)", func(now time.Time) []byte { return stamp(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, now.Add(time.Hour)) }, 0},
	{"an hour ago (clock stepped on)", func(now time.Time) []byte { return stamp(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, now.Add(-time.Hour)) }, maxAge},
	{"another message", func(now time.Time) []byte { return stamp(unix.SOL_IP, unix.IP_TTL, now.Add(-time.Millisecond)) }, 0},
	{"cut header", func(now time.Time) []byte { return stamp(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, now)[:8] }, 0},
	{"length beyond the buffer", func(now time.Time) []byte {
		b := stamp(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, now)
		(*unix.Cmsghdr)(unsafe.Pointer(&b[0])).SetLen(len(b) + 1)
		return b
	}, 0},
	{"zero length", func(now time.Time) []byte {
		b := stamp(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, now)
		(*unix.Cmsghdr)(unsafe.Pointer(&b[0])).SetLen(0)
		return b
	}, 0},
}

func TestAge(t *testing.T) {
	now := time.Now()
	for _, tc := range ageCases {
		if got := age(now, tc.ctrl(now)); got != tc.want {
			t.Errorf("%s: age %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Whatever the control bytes, age neither panics nor leaves 0..maxAge.
func FuzzAge(f *testing.F) {
	now := time.Now()
	for _, tc := range ageCases {
		f.Add(tc.ctrl(now))
	}
	f.Fuzz(func(t *testing.T, ctrl []byte) {
		if len(ctrl) > 0 && uintptr(unsafe.Pointer(&ctrl[0]))%8 != 0 {
			ctrl = append(make([]byte, 0, len(ctrl)), ctrl...) // the kernel's buffer is aligned
		}
		if d := age(now, ctrl); d < 0 || d > maxAge {
			t.Fatalf("age %v", d)
		}
	})
}

// A datagram that waited out a pause says how long: its arrival, delivery time minus Age, is
// when it was sent, not when the round read it.
func TestAgeTakesThePauseOut(t *testing.T) {
	p, _ := New(MaxInterval)
	conn, from := listen(t, "127.0.0.1:0"), listen(t, "127.0.0.1:0")
	type seen struct {
		arrival time.Time
		age     time.Duration
	}
	got := make(chan seen, 8)
	r, err := p.Add(conn, func(b []Datagram) {
		now := time.Now()
		for _, d := range b {
			got <- seen{now.Add(-d.Age), d.Age}
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Remove()
	to := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	var before, after [2]time.Time
	for i := range 2 { // the first wakes the poller, the second arrives during its pause
		before[i] = time.Now()
		if _, err := from.WriteToUDPAddrPort([]byte{byte(i)}, to); err != nil {
			t.Fatal(err)
		}
		after[i] = time.Now()
		time.Sleep(2 * time.Millisecond)
	}
	for i := range 2 {
		select {
		case s := <-got:
			if s.arrival.Before(before[i].Add(-time.Millisecond)) || s.arrival.After(after[i].Add(time.Millisecond)) {
				t.Errorf("datagram %d: arrival %v, sent between %v and %v (age %v)", i,
					s.arrival.Format(time.StampMicro), before[i].Format(time.StampMicro), after[i].Format(time.StampMicro), s.age)
			}
			t.Logf("datagram %d: age %v", i, s.age)
		case <-time.After(5 * time.Second):
			t.Fatal("nothing delivered")
		}
	}
}
