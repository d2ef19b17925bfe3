// Package netlimit wraps a net.Listener with the limits every listener of sipcast needs against
// a hostile network: a total and a per-source cap on open connections, an idle (read) deadline,
// a deadline on the first read (which covers a TLS handshake), and an Accept that survives
// running out of file descriptors. Servers that would stop on an Accept error (Fiber, sipgo, our
// RTMP server) see only connections and net.ErrClosed.
//
// It is what the most trusted servers do: nginx's worker_connections and limit_conn, Kamailio's
// tcp_max_connections and tcp_connection_lifetime, net/http's Accept backoff on temporary
// errors (5 ms doubling to 1 s).
package netlimit
