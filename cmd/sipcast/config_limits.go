package main

import (
	"fmt"
	"time"
)

// LimitsConfig bounds what an outsider can hold open: connections, time and memory on every
// listener (REST, SIP over TCP and TLS, the embedded RTMP server). The defaults let a busy
// gateway and its tests work from one address and stop a single flooder long before the
// process runs out of descriptors.
type LimitsConfig struct {
	RESTMaxConns      int           `yaml:"rest_max_conns"`        // 1024 open REST connections in all
	RESTMaxConnsPerIP int           `yaml:"rest_max_conns_per_ip"` // 256 from one address
	RESTReadTimeout   time.Duration `yaml:"rest_read_timeout"`     // 10s to send a request's headers and body
	RESTWriteTimeout  time.Duration `yaml:"rest_write_timeout"`    // 10s to take an answer (not the event stream)
	RESTIdleTimeout   time.Duration `yaml:"rest_idle_timeout"`     // 60s between keep-alive requests
	SIPMaxConns       int           `yaml:"sip_max_conns"`         // 1024 inbound SIP TCP+TLS connections, each listener
	SIPMaxConnsPerIP  int           `yaml:"sip_max_conns_per_ip"`  // 64 from one address
	SIPIdleTimeout    time.Duration `yaml:"sip_idle_timeout"`      // 5m without a byte closes an inbound connection
	TLSHandshake      time.Duration `yaml:"tls_handshake_timeout"` // 10s for a TLS handshake (HTTPS, SIP TLS)
	RTMPMaxConns      int           `yaml:"rtmp_max_conns"`        // 256 (embedded RTMP server)
	RTMPMaxConnsPerIP int           `yaml:"rtmp_max_conns_per_ip"` // 64
}

func defaultLimits() LimitsConfig {
	return LimitsConfig{
		RESTMaxConns: 1024, RESTMaxConnsPerIP: 256, RESTReadTimeout: 10 * time.Second,
		RESTWriteTimeout: 10 * time.Second, RESTIdleTimeout: time.Minute,
		SIPMaxConns: 1024, SIPMaxConnsPerIP: 64, SIPIdleTimeout: 5 * time.Minute, TLSHandshake: 10 * time.Second,
		RTMPMaxConns: 256, RTMPMaxConnsPerIP: 64,
	}
}

func (c *Config) limitSettings() []setting {
	l := &c.LimitsConfig
	return []setting{
		{"SIPCAST_REST_MAX_CONNS", "rest-max-conns", "REST connections open at once, in all (more are closed at once)", &l.RESTMaxConns},
		{"SIPCAST_REST_MAX_CONNS_PER_IP", "rest-max-conns-per-ip", "REST connections open at once from one address", &l.RESTMaxConnsPerIP},
		{"SIPCAST_REST_READ_TIMEOUT", "rest-read-timeout", "time a client has to send a request's headers and body", &l.RESTReadTimeout},
		{"SIPCAST_REST_WRITE_TIMEOUT", "rest-write-timeout", "time a client has to take an answer (the event stream excepted)", &l.RESTWriteTimeout},
		{"SIPCAST_REST_IDLE_TIMEOUT", "rest-idle-timeout", "an idle keep-alive REST connection is closed after this", &l.RESTIdleTimeout},
		{"SIPCAST_SIP_MAX_CONNS", "sip-max-conns", "inbound SIP connections open at once per listener (TCP, TLS)", &l.SIPMaxConns},
		{"SIPCAST_SIP_MAX_CONNS_PER_IP", "sip-max-conns-per-ip", "inbound SIP connections open at once from one address", &l.SIPMaxConnsPerIP},
		{"SIPCAST_SIP_IDLE_TIMEOUT", "sip-idle-timeout", "an inbound SIP connection silent this long is closed", &l.SIPIdleTimeout},
		{"SIPCAST_TLS_HANDSHAKE_TIMEOUT", "tls-handshake-timeout", "time a client has to finish a TLS handshake (HTTPS, SIP TLS)", &l.TLSHandshake},
		{"SIPCAST_RTMP_MAX_CONNS", "rtmp-max-conns", "connections to the embedded RTMP server at once", &l.RTMPMaxConns},
		{"SIPCAST_RTMP_MAX_CONNS_PER_IP", "rtmp-max-conns-per-ip", "connections to the embedded RTMP server from one address", &l.RTMPMaxConnsPerIP},
	}
}

// validateLimits refuses a limit that would switch a protection off by a typo: every cap and
// timeout must be positive.
func (c Config) validateLimits() []error {
	l := c.LimitsConfig
	var errs []error
	for name, v := range map[string]int{"rest_max_conns": l.RESTMaxConns, "rest_max_conns_per_ip": l.RESTMaxConnsPerIP,
		"sip_max_conns": l.SIPMaxConns, "sip_max_conns_per_ip": l.SIPMaxConnsPerIP,
		"rtmp_max_conns": l.RTMPMaxConns, "rtmp_max_conns_per_ip": l.RTMPMaxConnsPerIP} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("%s %d: want at least 1", name, v))
		}
	}
	for name, v := range map[string]time.Duration{"rest_read_timeout": l.RESTReadTimeout, "rest_write_timeout": l.RESTWriteTimeout,
		"rest_idle_timeout": l.RESTIdleTimeout, "sip_idle_timeout": l.SIPIdleTimeout, "tls_handshake_timeout": l.TLSHandshake} {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s %v: want a positive duration", name, v))
		}
	}
	return errs
}
