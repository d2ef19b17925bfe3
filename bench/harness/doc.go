// Package harness is sipcast's load benchmark. It runs sipcast as its own
// process against simulated SIP devices (demo/device, in child processes of
// the harness) and a real RTMP server (nginx with the RTMP module), drives
// the REST API to ramp up to N concurrent calls at a given rate, holds them,
// ends them, and measures what the calls cost — CPU seconds, peak RSS,
// threads and open files of the sipcast process, read from /proc — and what
// they deliver: REST latencies, first-frame latency and frame counts seen by
// an RTMP player attached to each stream on the server.
//
// The baseline is the same RTP load, from the same devices, relayed by one
// `ffmpeg -c:v copy -c:a aac -f flv` process per call and measured the same
// way in the same run, so each figure has a sipcast/ffmpeg ratio beside it.
//
// Run it with `make bench` (a short run) or cmd sipcast-bench with flags.
package harness
