package sdp

import "testing"

func TestMediaFirst(t *testing.T) {
	m := &Media{Codecs: []Codec{
		{PayloadType: 101, Name: "TELEPHONE-EVENT"},
		{PayloadType: 0, Name: "PCMU"},
		{PayloadType: 8, Name: "PCMA"},
	}}
	c, ok := m.First("pcma", "PCMU")
	if !ok || c.PayloadType != 0 {
		t.Fatalf("First = %+v, %v; want the answer's order (PCMU)", c, ok)
	}
	if _, ok := m.First("H264"); ok {
		t.Fatal("found a codec that is not there")
	}
	if _, ok := m.First(); ok {
		t.Fatal("found a codec without names")
	}
}

func TestReceivesFromPeer(t *testing.T) {
	for dir, want := range map[string]bool{DirSendRecv: true, DirSendOnly: true, DirRecvOnly: false, DirInactive: false} {
		if got := (&Media{Direction: dir}).ReceivesFromPeer(); got != want {
			t.Errorf("%s: %v, want %v", dir, got, want)
		}
	}
}
