package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting of sipcast. Precedence, lowest first: the profile's defaults, the YAML
// file (SIPCAST_CONFIG or -config), environment variables, command-line flags. The README's
// configuration table is generated from the same list (see settings) — keep them in step.
type Config struct {
	Profile            string        `yaml:"profile"`              // dev | production
	RESTPort           int           `yaml:"rest_port"`            // 8081
	SIPIP              string        `yaml:"sip_ip"`               // address in Via/Contact/SDP; first non-loopback IPv4, else 127.0.0.1
	SIPPort            int           `yaml:"sip_port"`             // 5060
	RTPPorts           string        `yaml:"rtp_ports"`            // 31000-31999
	InviteTimeout      time.Duration `yaml:"invite_timeout"`       // 60s
	EndedCallTTL       time.Duration `yaml:"ended_call_ttl"`       // 10s
	RTMPConnectTimeout time.Duration `yaml:"rtmp_connect_timeout"` // 10s
	AACSampleRate      int           `yaml:"aac_sample_rate"`      // 0 = the G.711 rate (8000)
	RTMPServer         string        `yaml:"rtmp_server"`          // dev: 127.0.0.1:1935, production: off
	DemoDevice         string        `yaml:"demo_device"`          // dev: 127.0.0.1:5070, production: off
	LogLevel           string        `yaml:"log_level"`            // info
	LogFormat          string        `yaml:"log_format"`           // text (dev) | json (production)
}

// setting ties a field to its environment variable, flag and help text.
type setting struct {
	env, flag, help string
	ptr             any
}

func (c *Config) settings() []setting {
	return []setting{
		{"SIPCAST_PROFILE", "profile", "profile: dev or production", &c.Profile},
		{"SIPCAST_REST_PORT", "rest-port", "REST API port (HTTP)", &c.RESTPort},
		{"SIPCAST_SIP_IP", "sip-ip", "IP address for SIP (bind, Via, Contact) and the SDP", &c.SIPIP},
		{"SIPCAST_SIP_PORT", "sip-port", "SIP UDP port", &c.SIPPort},
		{"SIPCAST_RTP_PORTS", "rtp-ports", "RTP/RTCP port range, MIN-MAX", &c.RTPPorts},
		{"SIPCAST_INVITE_TIMEOUT", "invite-timeout", "wait for a final answer before CANCEL", &c.InviteTimeout},
		{"SIPCAST_ENDED_CALL_TTL", "ended-call-ttl", "how long a call that ended by itself stays in /call/find", &c.EndedCallTTL},
		{"SIPCAST_RTMP_CONNECT_TIMEOUT", "rtmp-connect-timeout", "RTMP connect + publish timeout", &c.RTMPConnectTimeout},
		{"SIPCAST_AAC_SAMPLE_RATE", "aac-sample-rate", "AAC output sample rate; 0 keeps the G.711 rate", &c.AACSampleRate},
		{"SIPCAST_RTMP_SERVER", "rtmp-server", "address of the embedded RTMP server; empty: off", &c.RTMPServer},
		{"SIPCAST_DEMO_DEVICE", "demo-device", "address of the built-in demo SIP callee; empty: off", &c.DemoDevice},
		{"SIPCAST_LOG_LEVEL", "log-level", "debug, info, warn or error", &c.LogLevel},
		{"SIPCAST_LOG_FORMAT", "log-format", "text or json", &c.LogFormat},
	}
}

func defaults(profile string) Config {
	c := Config{
		Profile: "dev", RESTPort: 8081, SIPIP: defaultIP(), SIPPort: 5060, RTPPorts: "31000-31999",
		InviteTimeout: 60 * time.Second, EndedCallTTL: 10 * time.Second, RTMPConnectTimeout: 10 * time.Second,
		RTMPServer: "127.0.0.1:1935", DemoDevice: "127.0.0.1:5070", LogLevel: "info", LogFormat: "text",
	}
	if profile == "production" {
		c.Profile, c.RTMPServer, c.DemoDevice, c.LogFormat = "production", "", "", "json"
	}
	return c
}

// loadConfig applies the layers in order. args are the command-line arguments after the binary.
func loadConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("sipcast", flag.ContinueOnError)
	configPath := fs.String("config", getenv("SIPCAST_CONFIG"), "YAML configuration file (SIPCAST_CONFIG)")
	var probe Config
	flagVals := map[string]*string{}
	for _, s := range probe.settings() {
		flagVals[s.flag] = fs.String(s.flag, "", s.help+" ("+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	profile := firstNonEmpty(*flagVals["profile"], getenv("SIPCAST_PROFILE"))
	cfg := defaults(profile)
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", *configPath, err)
		}
	}
	for _, s := range cfg.settings() {
		for _, v := range []string{getenv(s.env), *flagVals[s.flag]} {
			if v == "" {
				continue
			}
			if err := set(s.ptr, v); err != nil {
				return Config{}, fmt.Errorf("%s / -%s: %w", s.env, s.flag, err)
			}
		}
	}
	return cfg, cfg.validate()
}

func set(ptr any, v string) error {
	switch p := ptr.(type) {
	case *string:
		if v == "off" || v == "none" {
			v = ""
		}
		*p = v
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration (e.g. 30s)", v)
		}
		*p = d
	}
	return nil
}

func (c Config) validate() error {
	var errs []error
	if c.Profile != "dev" && c.Profile != "production" {
		errs = append(errs, fmt.Errorf("profile %q: want dev or production", c.Profile))
	}
	if net.ParseIP(c.SIPIP) == nil {
		errs = append(errs, fmt.Errorf("sip_ip %q is not an IP address", c.SIPIP))
	}
	if _, _, err := c.rtpRange(); err != nil {
		errs = append(errs, err)
	}
	for name, p := range map[string]int{"rest_port": c.RESTPort, "sip_port": c.SIPPort} {
		if p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s %d out of range", name, p))
		}
	}
	return errors.Join(errs...)
}

func (c Config) rtpRange() (int, int, error) {
	lo, hi, ok := strings.Cut(c.RTPPorts, "-")
	min, err1 := strconv.Atoi(strings.TrimSpace(lo))
	max, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if !ok || err1 != nil || err2 != nil || min < 1024 || max > 65535 || max-min < 3 {
		return 0, 0, fmt.Errorf("rtp_ports %q: want MIN-MAX within 1024-65535", c.RTPPorts)
	}
	return min, max, nil
}

// defaultIP is the first non-loopback IPv4 address, as a SIP device elsewhere would reach us;
// 127.0.0.1 on a machine without one.
func defaultIP() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
