package sipua

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Transports of the startup's sipTransport.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
	TransportTLS = "tls"
)

// transport is how one call's requests travel: sipgo's transport name, the client that sends
// over it (UDP leaves from the listening socket; TCP and TLS connect from ephemeral ports), and
// the port our Via and Contact name: where the peer's new connections or datagrams reach us.
type transport struct {
	name   string // "UDP", "TCP", "TLS"
	client *sipgo.Client
	port   int
}

func (u *UA) transport(name string) (transport, error) {
	switch strings.ToLower(name) {
	case "", TransportUDP:
		return transport{"UDP", u.client, u.Addr().Port}, nil
	case TransportTCP:
		return transport{"TCP", u.stream, u.Addr().Port}, nil
	case TransportTLS:
		if u.cfg.TLS == nil {
			return transport{}, fmt.Errorf("%w: tls is not configured", ErrTransport)
		}
		if u.tlsClient != nil {
			return transport{"TLS", u.tlsClient, u.tlsPort()}, nil
		}
		// Client-only TLS: the peer can only reuse our connection (its proxy aliases it).
		return transport{"TLS", u.stream, u.Addr().Port}, nil
	}
	return transport{}, fmt.Errorf("%w: %q", ErrTransport, name)
}

// contact is our Contact for a transport: the transport's listening port, with ;transport= for
// TCP and TLS so the callee's in-dialog requests come back the same way (to our TCP or TLS
// listener, or over a connection of ours that the peer reuses).
func (u *UA) contact(user string, tp transport) sip.ContactHeader {
	c := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: u.cfg.ContactIP, Port: tp.port}}
	if tp.name != "UDP" {
		c.Address.UriParams = sip.NewParams()
		c.Address.UriParams.Add("transport", strings.ToLower(tp.name))
	}
	return c
}

// splitHostPort splits "host:port" (IPv6 in brackets); a missing port is an error.
func splitHostPort(hp string) (string, int, error) {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("port %q", port)
	}
	return host, n, nil
}
