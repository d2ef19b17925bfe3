//go:build unix

package main

import (
	"log/slog"
	"syscall"
)

// raiseFileLimit lifts the soft limit on open files to the hard one, as nginx's
// worker_rlimit_nofile does: every call holds sockets, and a distribution's default soft limit
// (1024) is reached by a few hundred calls, or by one client flooding a listener.
func raiseFileLimit(log *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		log.Warn("open files limit unknown", "err", err)
		return
	}
	if lim.Cur >= lim.Max {
		log.Info("open files limit", "soft", lim.Cur, "hard", lim.Max)
		return
	}
	was := lim.Cur
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		log.Warn("open files limit not raised", "soft", was, "hard", lim.Max, "err", err)
		return
	}
	log.Info("open files limit raised", "from", was, "to", lim.Max)
}
