package sdp

import (
	"bytes"
	"errors"
	"testing"
)

func TestFmtpParam(t *testing.T) {
	c := Codec{Fmtp: "Packetization-Mode=1;  profile-level-id = 42e01f ;level-asymmetry-allowed"}
	for key, want := range map[string]string{
		"packetization-mode":      "1",
		"PROFILE-LEVEL-ID":        "42e01f",
		"level-asymmetry-allowed": "",
	} {
		if v, ok := c.FmtpParam(key); !ok || v != want {
			t.Errorf("%s = %q, %v; want %q", key, v, ok, want)
		}
	}
	if _, ok := c.FmtpParam("sprop-parameter-sets"); ok {
		t.Error("found an absent parameter")
	}
	if _, ok := (Codec{Fmtp: "a=1;;"}).FmtpParam(""); ok {
		t.Error("found the empty key")
	}
}

func TestPacketizationMode(t *testing.T) {
	for fmtp, want := range map[string]int{
		"":                        0,
		"profile-level-id=420020": 0,
		"packetization-mode=1; profile-level-id=420020": 1,
		"packetization-mode=0":                          0,
		"packetization-mode=2":                          2,
		"packetization-mode=7":                          -1,
		"packetization-mode=one":                        -1,
	} {
		if got := (Codec{Fmtp: fmtp}).PacketizationMode(); got != want {
			t.Errorf("%q: %d, want %d", fmtp, got, want)
		}
	}
}

func TestSpropParameterSets(t *testing.T) {
	wantSPS := []byte{0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8}
	wantPPS := []byte{0x68, 0xce, 0x3c, 0x80}
	for _, fmtp := range []string{
		"packetization-mode=1;sprop-parameter-sets=Z0LAH9oBQBbo,aM48gA==",
		"sprop-parameter-sets=aM48gA==,Z0LAH9oBQBbo; packetization-mode=1", // order swapped
		"sprop-parameter-sets=Z0LAH9oBQBbo,aM48gA",                         // unpadded
	} {
		sps, pps, err := Codec{Fmtp: fmtp}.SpropParameterSets()
		if err != nil || !bytes.Equal(sps, wantSPS) || !bytes.Equal(pps, wantPPS) {
			t.Errorf("%q: %x %x %v", fmtp, sps, pps, err)
		}
	}
	if sps, pps, err := (Codec{Fmtp: "packetization-mode=1"}).SpropParameterSets(); sps != nil || pps != nil || err != nil {
		t.Errorf("absent: %x %x %v", sps, pps, err)
	}
	for _, bad := range []string{"sprop-parameter-sets=!!!", "sprop-parameter-sets=Z0LAH9oBQBbo,,aM48gA=="} {
		if _, _, err := (Codec{Fmtp: bad}).SpropParameterSets(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", bad, err)
		}
	}
}
