package rtmpurl

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Target is a place to publish one RTMP stream.
type Target struct {
	Scheme string        // "rtmp" or "rtmps"
	Host   string        // host:port, the port always explicit
	App    string        // RTMP application, e.g. "live" or "live/_definst_"; no outer slashes
	Query  string        // raw query of rtmpUrl, without '?'
	Stream string        // stream name (rtmpStream)
	User   *url.Userinfo // credentials from rtmpUrl, if any
}

// ClientURL is the URL for gortmplib.Client.URL:
// scheme://[user:pass@]host/app[?query]#stream. gortmplib connects with the
// path and query as app and publishes the fragment as stream name.
func (t Target) ClientURL() *url.URL {
	return &url.URL{
		Scheme:   t.Scheme,
		User:     t.User,
		Host:     t.Host,
		Path:     "/" + t.App,
		RawQuery: t.Query,
		Fragment: t.Stream,
	}
}

// Key identifies the target for the "one call per RTMP URL and stream"
// rule: scheme and host lower-cased (IP addresses in canonical form), the
// port explicit, no credentials, the query verbatim, then "#" and the
// stream. rtmp://LocalHost/live/ and rtmp://localhost:1935/live give the
// same key for the same stream.
func (t Target) Key() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(t.Scheme))
	b.WriteString("://")
	b.WriteString(t.canonicalHost())
	b.WriteString("/")
	b.WriteString(strings.Trim(t.App, "/"))
	if t.Query != "" {
		b.WriteString("?")
		b.WriteString(t.Query)
	}
	b.WriteString("#")
	b.WriteString(t.Stream)
	return b.String()
}

// Redacted is the target for logs and JSON: the play URL with the password
// and the secret query values (RedactQuery) replaced by Masked.
func (t Target) Redacted() string {
	u := t.playURL()
	u.User = t.User
	u.RawQuery = RedactQuery(u.RawQuery)
	return u.Redacted()
}

// PlayURL is what ffprobe or a player opens to watch the stream:
// rtmp://host:port/app/stream[?query], without credentials.
func (t Target) PlayURL() string {
	return t.playURL().String()
}

func (t Target) playURL() *url.URL {
	return &url.URL{Scheme: t.Scheme, Host: t.Host, Path: "/" + t.App + "/" + t.Stream, RawQuery: t.Query}
}

// canonicalHost lower-cases names, writes addresses canonically and adds
// the default port when a hand-built Target lacks it.
func (t Target) canonicalHost() string {
	host, port, err := net.SplitHostPort(t.Host)
	if err != nil {
		host, port = strings.Trim(t.Host, "[]"), DefaultRTMPPort
		if strings.EqualFold(t.Scheme, "rtmps") {
			port = DefaultRTMPSPort
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	} else {
		host = strings.ToLower(host)
	}
	return net.JoinHostPort(host, port)
}
