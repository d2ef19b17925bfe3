package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// Config is every setting of sipcast. Precedence, lowest first: the profile's defaults, the YAML
// file (SIPCAST_CONFIG or -config), environment variables, command-line flags. The README's
// configuration table is generated from the same list (see settings) — keep them in step.
type Config struct {
	Profile            string            `yaml:"profile"`              // dev | production
	RESTPort           int               `yaml:"rest_port"`            // 8081
	SIPIP              string            `yaml:"sip_ip"`               // address in Via/Contact/SDP; first non-loopback IPv4, else 127.0.0.1
	SIPPort            int               `yaml:"sip_port"`             // 5060
	RTPPorts           string            `yaml:"rtp_ports"`            // 31000-31999
	InviteTimeout      time.Duration     `yaml:"invite_timeout"`       // 60s
	EndedCallTTL       time.Duration     `yaml:"ended_call_ttl"`       // 10s
	RTMPConnectTimeout time.Duration     `yaml:"rtmp_connect_timeout"` // 10s
	AACSampleRate      int               `yaml:"aac_sample_rate"`      // 0 = the G.711 rate (8000)
	RTMPServer         string            `yaml:"rtmp_server"`          // dev: 127.0.0.1:1935, production: off
	DemoDevice         string            `yaml:"demo_device"`          // dev: 127.0.0.1:5070, production: off
	LogLevel           string            `yaml:"log_level"`            // info
	LogFormat          string            `yaml:"log_format"`           // text (dev) | json (production)
	RTMPAudio          string            `yaml:"rtmp_audio"`           // aac | pcmu | pcma | speex
	RTMPReconnectTries int               `yaml:"rtmp_reconnect_attempts"`
	RTMPReconnectFor   time.Duration     `yaml:"rtmp_reconnect_timeout"`
	RTMPBackoff        time.Duration     `yaml:"rtmp_reconnect_backoff"`
	RTMPMaxBackoff     time.Duration     `yaml:"rtmp_reconnect_max_backoff"`
	RTMPTLSInsecure    bool              `yaml:"rtmp_tls_insecure"`
	RTMPTLSCA          string            `yaml:"rtmp_tls_ca"`
	RTMPFailHangup     bool              `yaml:"rtmp_fail_hangup"`
	RTMPGapFill        time.Duration     `yaml:"rtmp_gap_fill"` // 500ms; 0/off: never fill
	PushPrefix         string            `yaml:"push_prefix"`
	SoundsDir          string            `yaml:"sounds_dir"`
	HTTPSPort          int               `yaml:"https_port"`            // 8444, production only; 0/off: none
	TLSCert            string            `yaml:"tls_cert"`              // PEM certificate for HTTPS; "": self-signed in data_dir
	TLSKey             string            `yaml:"tls_key"`               // its PEM private key
	DataDir            string            `yaml:"data_dir"`              // /var/lib/sipcast: settings.json, tls/
	BodyLimit          int               `yaml:"body_limit"`            // 65536 bytes; larger → 413
	AuthMaxFailures    int               `yaml:"auth_max_failures"`     // 10 wrong passwords a minute per client, then 429
	CallAppURL         string            `yaml:"callapp_url"`           // http://localhost:9091/CallApp: defaultApp's URL
	CallAppAuth        string            `yaml:"callapp_authorization"` // "": Authorization header of notifications
	CallAppSecret      string            `yaml:"callapp_secret"`        // "": HMAC key signing notifications
	Apps               map[string]string `yaml:"apps"`                  // appKey → URL (YAML only; `sipcast admin set-app` overrides)
	NotifyQueue        int               `yaml:"notify_queue"`          // 1000 notifications waiting, at most
	NotifyRetries      int               `yaml:"notify_retries"`        // 3
	NotifyTimeout      time.Duration     `yaml:"notify_timeout"`        // 5s per POST
	DrainTimeout       time.Duration     `yaml:"drain_timeout"`         // 15s: SIGTERM's bound
	SIPPublicIP        string            `yaml:"sip_public_ip"`         // "": sip_ip. Via/Contact/SDP address behind NAT
	SIPTCP             bool              `yaml:"sip_tcp"`               // true: SIP over TCP on sip_port too
	SIPTLSCA           string            `yaml:"sip_tls_ca"`            // "": PEM CA file for sipTransport tls
	SIPTLSInsecure     bool              `yaml:"sip_tls_insecure"`      // false
	SIPTLSPort         int               `yaml:"sip_tls_port"`          // 5061: SIP over TLS listener; 0/off: none (tls client-only)
	SIPTLSCert         string            `yaml:"sip_tls_cert"`          // "": the self-signed certificate in data_dir (HTTPS's)
	SIPTLSKey          string            `yaml:"sip_tls_key"`           // its PEM private key
	SessionExpires     time.Duration     `yaml:"session_expires"`       // 30m; 0: no session timer asked for
	MinSE              time.Duration     `yaml:"min_se"`                // 90s, RFC 4028's floor
	MediaTimeout       time.Duration     `yaml:"media_timeout"`         // 30s; 0: off
	MediaStartTimeout  time.Duration     `yaml:"media_start_timeout"`   // 60s; 0: off
	RTPLatching        bool              `yaml:"rtp_latching"`          // false
	RegisterExpires    time.Duration     `yaml:"register_expires"`      // 1h
	MediaConfig        `yaml:",inline"`  // codecs, jitter buffer, transcoding (config_media.go)
	LimitsConfig       `yaml:",inline"`  // connection caps and timeouts of every listener (config_limits.go)
	ClusterConfig      `yaml:",inline"`  // etcd cluster, capacity (config_cluster.go)
	PlaybackConfig     `yaml:",inline"`  // WHEP, HLS, the calls page (config_playback.go)
}

// setting ties a field to its environment variable, flag and help text.
type setting struct {
	env, flag, help string
	ptr             any
}

func (c *Config) settings() []setting {
	return append([]setting{
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
		{"SIPCAST_RTMP_AUDIO", "rtmp-audio", "RTMP audio codec: aac, pcmu, pcma or speex (passthrough)", &c.RTMPAudio},
		{"SIPCAST_RTMP_RECONNECT_ATTEMPTS", "rtmp-reconnect-attempts", "failed reconnects in a row before RTMP_CONNECTION_FAILED", &c.RTMPReconnectTries},
		{"SIPCAST_RTMP_RECONNECT_TIMEOUT", "rtmp-reconnect-timeout", "longest RTMP outage before RTMP_CONNECTION_FAILED", &c.RTMPReconnectFor},
		{"SIPCAST_RTMP_RECONNECT_BACKOFF", "rtmp-reconnect-backoff", "first reconnect delay (doubles, with jitter)", &c.RTMPBackoff},
		{"SIPCAST_RTMP_RECONNECT_MAX_BACKOFF", "rtmp-reconnect-max-backoff", "longest reconnect delay", &c.RTMPMaxBackoff},
		{"SIPCAST_RTMP_TLS_INSECURE", "rtmp-tls-insecure", "rtmps:// without certificate verification (test servers only)", &c.RTMPTLSInsecure},
		{"SIPCAST_RTMP_TLS_CA", "rtmp-tls-ca", "PEM file of CA certificates trusted for rtmps:// (besides the system's)", &c.RTMPTLSCA},
		{"SIPCAST_RTMP_FAIL_HANGUP", "rtmp-fail-hangup", "end the SIP call when its RTMP target fails for good", &c.RTMPFailHangup},
		{"SIPCAST_RTMP_GAP_FILL", "rtmp-gap-fill", "a track the device sends nothing on this long goes on with its last picture and silence; off: never", &c.RTMPGapFill},
		{"SIPCAST_PUSH_PREFIX", "push-prefix", "prefix of a pushed stream's name on the RTMP server", &c.PushPrefix},
		{"SIPCAST_SOUNDS_DIR", "sounds-dir", "folder of the WAV files /push sound_on may play", &c.SoundsDir},
		{"SIPCAST_HTTPS_PORT", "https-port", "REST API port (HTTPS, production profile); off: none", &c.HTTPSPort},
		{"SIPCAST_TLS_CERT", "tls-cert", "PEM certificate for HTTPS; empty: a self-signed one kept in the data directory", &c.TLSCert},
		{"SIPCAST_TLS_KEY", "tls-key", "PEM private key of tls-cert", &c.TLSKey},
		{"SIPCAST_DATA_DIR", "data-dir", "directory of the admin settings (settings.json) and the self-signed certificate", &c.DataDir},
		{"SIPCAST_BODY_LIMIT", "body-limit", "largest REST request body in bytes; larger gets 413", &c.BodyLimit},
		{"SIPCAST_AUTH_MAX_FAILURES", "auth-max-failures", "wrong passwords a minute per client before 429 (production)", &c.AuthMaxFailures},
		{"SIPCAST_CALLAPP_URL", "callapp-url", "URL of the default app (defaultApp) that gets status notifications; off: none", &c.CallAppURL},
		{"SIPCAST_CALLAPP_AUTHORIZATION", "callapp-authorization", "Authorization header value sent with every notification", &c.CallAppAuth},
		{"SIPCAST_CALLAPP_SECRET", "callapp-secret", "key of the X-Sipcast-Signature HMAC of every notification", &c.CallAppSecret},
		{"SIPCAST_NOTIFY_QUEUE", "notify-queue", "notifications waiting for delivery, at most (more are dropped)", &c.NotifyQueue},
		{"SIPCAST_NOTIFY_RETRIES", "notify-retries", "retries of a failed notification (backoff from 500 ms)", &c.NotifyRetries},
		{"SIPCAST_NOTIFY_TIMEOUT", "notify-timeout", "timeout of one notification POST", &c.NotifyTimeout},
		{"SIPCAST_DRAIN_TIMEOUT", "drain-timeout", "SIGTERM: time to end every call and send the last notifications", &c.DrainTimeout},
		{"SIPCAST_SIP_PUBLIC_IP", "sip-public-ip", "address put in Via, Contact and the SDP behind NAT (default: sip-ip)", &c.SIPPublicIP},
		{"SIPCAST_SIP_TCP", "sip-tcp", "also take SIP over TCP on the SIP port", &c.SIPTCP},
		{"SIPCAST_SIP_TLS_CA", "sip-tls-ca", "PEM file of CA certificates trusted for sipTransport tls (besides the system's)", &c.SIPTLSCA},
		{"SIPCAST_SIP_TLS_INSECURE", "sip-tls-insecure", "sipTransport tls without certificate verification (test servers only)", &c.SIPTLSInsecure},
		{"SIPCAST_SIP_TLS_PORT", "sip-tls-port", "SIP over TLS listening port (Contact of tls calls); off: none", &c.SIPTLSPort},
		{"SIPCAST_SIP_TLS_CERT", "sip-tls-cert", "PEM certificate of the SIP TLS listener; empty: the self-signed one kept in the data directory", &c.SIPTLSCert},
		{"SIPCAST_SIP_TLS_KEY", "sip-tls-key", "PEM private key of sip-tls-cert", &c.SIPTLSKey},
		{"SIPCAST_SESSION_EXPIRES", "session-expires", "RFC 4028 session interval asked for in the INVITE; 0: none", &c.SessionExpires},
		{"SIPCAST_MIN_SE", "min-se", "shortest session interval accepted from the callee (Min-SE)", &c.MinSE},
		{"SIPCAST_MEDIA_TIMEOUT", "media-timeout", "end a call whose device sends no RTP or RTCP for this long; 0: never", &c.MediaTimeout},
		{"SIPCAST_MEDIA_START_TIMEOUT", "media-start-timeout", "end a call whose device sends no media this long after the answer; 0: never", &c.MediaStartTimeout},
		{"SIPCAST_RTP_LATCHING", "rtp-latching", "symmetric RTP: send media where the device's packets come from", &c.RTPLatching},
		{"SIPCAST_REGISTER_EXPIRES", "register-expires", "binding lifetime asked of the registrar (sipRegisterRequired)", &c.RegisterExpires},
	}, append(append(append(c.mediaSettings(), c.limitSettings()...), c.clusterSettings()...), c.playbackSettings()...)...)
}

func defaults(profile string) Config {
	c := Config{
		Profile: "dev", RESTPort: 8081, SIPIP: defaultIP(), SIPPort: 5060, RTPPorts: "31000-31999",
		InviteTimeout: 60 * time.Second, EndedCallTTL: 10 * time.Second, RTMPConnectTimeout: 10 * time.Second,
		RTMPServer: "127.0.0.1:1935", DemoDevice: "127.0.0.1:5070", LogLevel: "info", LogFormat: "text",
		RTMPAudio: "aac", RTMPReconnectTries: 30, RTMPReconnectFor: 5 * time.Minute,
		RTMPBackoff: 500 * time.Millisecond, RTMPMaxBackoff: 10 * time.Second, RTMPGapFill: 500 * time.Millisecond, PushPrefix: "rtmp_", SoundsDir: "sounds",
		HTTPSPort: 8444, DataDir: "/var/lib/sipcast", BodyLimit: 64 << 10, AuthMaxFailures: 10,
		CallAppURL: "http://localhost:9091/CallApp", NotifyQueue: 1000, NotifyRetries: 3,
		NotifyTimeout: 5 * time.Second, DrainTimeout: 15 * time.Second,
		SIPTCP: true, SIPTLSPort: 5061, SessionExpires: 30 * time.Minute, MinSE: 90 * time.Second, MediaTimeout: 30 * time.Second,
		MediaStartTimeout: 60 * time.Second, RegisterExpires: time.Hour,
	}
	c.MediaConfig = defaultMedia()
	c.LimitsConfig = defaultLimits()
	c.ClusterConfig = defaultCluster()
	c.PlaybackConfig = defaultPlayback()
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
	if rest := fs.Args(); len(rest) > 0 {
		return Config{}, &positionalError{flags: args[:len(args)-len(rest)], rest: rest}
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
		if v == "off" {
			v = "0"
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		*p = n
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p = b
	case *time.Duration:
		if v == "off" {
			v = "0s"
		}
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
	if _, ok := callapi.AudioCodecName(c.RTMPAudio); !ok || c.RTMPAudio == "" {
		errs = append(errs, fmt.Errorf("rtmp_audio %q: want aac, pcmu, pcma or speex", c.RTMPAudio))
	}
	if _, _, err := c.rtpRange(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateControl()...)
	errs = append(errs, c.validateMedia()...)
	errs = append(errs, c.validateSIP()...)
	errs = append(errs, c.validateLimits()...)
	errs = append(errs, c.validateCluster()...)
	errs = append(errs, c.validatePlayback()...)
	for name, p := range map[string]int{"rest_port": c.RESTPort, "sip_port": c.SIPPort, "https_port": c.HTTPSPort, "sip_tls_port": c.SIPTLSPort} {
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

// rtmpTLS is the TLS configuration of rtmps:// targets: the system's roots plus the configured
// CA file, or no verification at all when explicitly asked for (self-signed test servers).
func (c Config) rtmpTLS() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.RTMPTLSInsecure {
		cfg.InsecureSkipVerify = true //nolint:gosec // explicit opt-in, documented as for test servers
	}
	if c.RTMPTLSCA != "" {
		pem, err := os.ReadFile(c.RTMPTLSCA)
		if err != nil {
			return nil, fmt.Errorf("rtmp_tls_ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("rtmp_tls_ca %s: no PEM certificate in it", c.RTMPTLSCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
