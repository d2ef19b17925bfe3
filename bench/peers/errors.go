package peers

import "errors"

var (
	// ErrExited is wrapped by SIPp.Wait when SIPp ends with a non-zero exit
	// code (1: a call failed; 97, 99, 255, 254: see sipp(1)).
	ErrExited = errors.New("peers: process failed")
	// ErrWaitTimeout is wrapped by SIPp.Wait when SIPp is still running at the
	// deadline; the process is then stopped.
	ErrWaitTimeout = errors.New("peers: process still running")
	// ErrNoBenchDir is returned when the bench directory (holding sipp/ and
	// media/) cannot be found; set SIPCAST_BENCH_DIR.
	ErrNoBenchDir = errors.New("peers: bench directory not found")
	// ErrBaresipCommand is returned by Baresip.Command when baresip answers a command with an
	// error, or not at all.
	ErrBaresipCommand = errors.New("peers: baresip command failed")
)
