// Package peers starts the real programs the end-to-end tests and the
// benchmark talk to — nginx with the RTMP module, SIPp as the called SIP
// device, ffprobe/ffmpeg as RTMP readers — on 127.0.0.1, and cleans them up
// with the test: every process runs in its own process group, is killed
// when the test ends (t.Cleanup) or when the test binary dies (Pdeathsig),
// and keeps its files in a t.TempDir.
//
// Missing programs skip the test, except under CI (the CI environment
// variable set), where they fail it: CI must never silently skip.
//
// Known peer behaviour is recorded in /work/shared/PEERS.md; the scenarios
// live in bench/sipp and the media in bench/testmedia.
package peers
