package clip

import _ "embed"

//go:embed h264.pcap
var h264PCAP []byte

//go:embed tone.ulaw
var toneUlaw []byte

// H264PCAP returns h264.pcap: ~15 s of 640x360 25 fps H.264 over RTP,
// PT 112, packetization-mode 1. Decode it with ParsePCAP. The slice is
// shared: do not modify it.
func H264PCAP() []byte { return h264PCAP }

// ToneUlaw returns tone.ulaw: 15 s of a 440 Hz sine as raw G.711 µ-law,
// 8 kHz mono (160 bytes per 20 ms packet). The slice is shared: do not
// modify it.
func ToneUlaw() []byte { return toneUlaw }
