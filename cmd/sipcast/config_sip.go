package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"
)

// validateSIP checks the settings of SIP signalling and media supervision.
func (c Config) validateSIP() []error {
	var errs []error
	if c.SIPPublicIP != "" {
		if ip := net.ParseIP(c.SIPPublicIP); ip == nil || ip.IsUnspecified() {
			errs = append(errs, fmt.Errorf("sip_public_ip %q is not a usable IP address", c.SIPPublicIP))
		}
	}
	if c.SessionExpires != 0 && c.SessionExpires < c.MinSE {
		errs = append(errs, fmt.Errorf("session_expires %s is below min_se %s", c.SessionExpires, c.MinSE))
	}
	if c.MinSE < 90*time.Second {
		errs = append(errs, fmt.Errorf("min_se %s is below RFC 4028's 90s", c.MinSE))
	}
	for name, d := range map[string]time.Duration{"media_timeout": c.MediaTimeout, "media_start_timeout": c.MediaStartTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s %s is negative", name, d))
		}
	}
	if (c.SIPTLSCert == "") != (c.SIPTLSKey == "") {
		errs = append(errs, fmt.Errorf("sip_tls_cert and sip_tls_key go together"))
	}
	if c.SIPTLSPort != 0 && c.SIPTLSPort == c.SIPPort && c.SIPTCP {
		errs = append(errs, fmt.Errorf("sip_tls_port %d is also sip_port, where SIP over TCP listens", c.SIPTLSPort))
	}
	if c.RegisterExpires < time.Minute {
		errs = append(errs, fmt.Errorf("register_expires %s: want at least 1m", c.RegisterExpires))
	}
	return errs
}

// publicIP is the address a device must reach us at: SIPCAST_SIP_PUBLIC_IP behind NAT, else the
// address SIP binds to.
func (c Config) publicIP() string {
	if c.SIPPublicIP != "" {
		return c.SIPPublicIP
	}
	return c.SIPIP
}

// sipTLS is the client TLS configuration of sipTransport tls: the system's roots plus the
// configured CA file, or no verification when explicitly asked for (test servers).
func (c Config) sipTLS() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.SIPTLSInsecure {
		cfg.InsecureSkipVerify = true //nolint:gosec // explicit opt-in, documented as for test servers
	}
	if c.SIPTLSCA != "" {
		pem, err := os.ReadFile(c.SIPTLSCA)
		if err != nil {
			return nil, fmt.Errorf("sip_tls_ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("sip_tls_ca %s: no PEM certificate in it", c.SIPTLSCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// sipTLSListener binds SIP over TLS on sip_ip:sip_tls_port, with sip_tls_cert or else the
// self-signed certificate HTTPS uses too; nil when sip_tls_port is 0. In the dev profile a port
// in use or a certificate that cannot be made turns TLS listening off with a warning (make run
// needs nothing but the machine, and tls calls still go out); in production, where proxies and
// phones open connections to it, it stops the start.
func (c Config) sipTLSListener(log *slog.Logger) (net.Listener, error) {
	if c.SIPTLSPort == 0 {
		return nil, nil
	}
	ln, err := c.listenSIPTLS(log)
	if err != nil && c.Profile == "dev" {
		log.Warn("SIP over TLS listener off", "err", err)
		return nil, nil
	}
	return ln, err
}

// listenSIPTLS binds before it loads (or makes) the certificate: a port in use is the common
// failure, and needs no certificate written.
func (c Config) listenSIPTLS(log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(c.SIPIP, strconv.Itoa(c.SIPTLSPort)))
	if err != nil {
		return nil, fmt.Errorf("SIP over TLS: %w", err)
	}
	cfg, err := c.serverTLS(log, "SIP TLS", c.SIPTLSCert, c.SIPTLSKey)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	return tls.NewListener(ln, cfg), nil
}
