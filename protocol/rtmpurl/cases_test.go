package rtmpurl

// parseCase is one rtmpUrl + rtmpStream pair and everything derived from
// it. The table is shared by the unit tests and the fuzz target's seeds.
type parseCase struct {
	name, url, stream string

	wantErr error // checked with errors.Is; the rest is then ignored

	scheme, host, app, query, user string // user is Userinfo.String()
	client, key, redacted, play    string
}

var parseCases = []parseCase{
	{
		name: "spec: instance and query", url: "rtmp://rtmp-server.example.com:1935/live/_definst_?param1=value1&param2=value2", stream: "streamName2",
		scheme: "rtmp", host: "rtmp-server.example.com:1935", app: "live/_definst_", query: "param1=value1&param2=value2",
		client:   "rtmp://rtmp-server.example.com:1935/live/_definst_?param1=value1&param2=value2#streamName2",
		key:      "rtmp://rtmp-server.example.com:1935/live/_definst_?param1=value1&param2=value2#streamName2",
		redacted: "rtmp://rtmp-server.example.com:1935/live/_definst_/streamName2?param1=value1&param2=value2",
		play:     "rtmp://rtmp-server.example.com:1935/live/_definst_/streamName2?param1=value1&param2=value2",
	},
	{
		name: "spec: plain", url: "rtmp://localhost:1935/live1", stream: "rtmp_stream1",
		scheme: "rtmp", host: "localhost:1935", app: "live1",
		client: "rtmp://localhost:1935/live1#rtmp_stream1", key: "rtmp://localhost:1935/live1#rtmp_stream1",
		redacted: "rtmp://localhost:1935/live1/rtmp_stream1", play: "rtmp://localhost:1935/live1/rtmp_stream1",
	},
	{
		name: "IPv6 loopback", url: "rtmp://[::1]:1935/live", stream: "s",
		scheme: "rtmp", host: "[::1]:1935", app: "live",
		client: "rtmp://[::1]:1935/live#s", key: "rtmp://[::1]:1935/live#s",
		redacted: "rtmp://[::1]:1935/live/s", play: "rtmp://[::1]:1935/live/s",
	},
	{
		name: "IPv6 written long", url: "rtmp://[0:0:0:0:0:0:0:1]/live", stream: "s",
		scheme: "rtmp", host: "[0:0:0:0:0:0:0:1]:1935", app: "live",
		client: "rtmp://[0:0:0:0:0:0:0:1]:1935/live#s", key: "rtmp://[::1]:1935/live#s",
		redacted: "rtmp://[0:0:0:0:0:0:0:1]:1935/live/s", play: "rtmp://[0:0:0:0:0:0:0:1]:1935/live/s",
	},
	{
		name: "rtmps default port", url: "rtmps://a.b/app", stream: "s",
		scheme: "rtmps", host: "a.b:443", app: "app",
		client: "rtmps://a.b:443/app#s", key: "rtmps://a.b:443/app#s",
		redacted: "rtmps://a.b:443/app/s", play: "rtmps://a.b:443/app/s",
	},
	{
		name: "upper case and trailing slash", url: "RTMP://LocalHost/live/", stream: "s",
		scheme: "rtmp", host: "LocalHost:1935", app: "live",
		client: "rtmp://LocalHost:1935/live#s", key: "rtmp://localhost:1935/live#s",
		redacted: "rtmp://LocalHost:1935/live/s", play: "rtmp://LocalHost:1935/live/s",
	},
	{
		name: "credentials", url: "rtmp://pub:s3cret@127.0.0.1:01935/live?token=a%20b", stream: "cam-1",
		scheme: "rtmp", host: "127.0.0.1:1935", app: "live", query: "token=a%20b", user: "pub:s3cret",
		client:   "rtmp://pub:s3cret@127.0.0.1:1935/live?token=a%20b#cam-1",
		key:      "rtmp://127.0.0.1:1935/live?token=a%20b#cam-1",
		redacted: "rtmp://pub:xxxxx@127.0.0.1:1935/live/cam-1?token=xxxxx",
		play:     "rtmp://127.0.0.1:1935/live/cam-1?token=a%20b",
	},
	{
		name: "escaped application and unicode stream", url: "rtmp://h/my%20app", stream: "caméra",
		scheme: "rtmp", host: "h:1935", app: "my app",
		client: "rtmp://h:1935/my%20app#cam%C3%A9ra", key: "rtmp://h:1935/my app#caméra",
		redacted: "rtmp://h:1935/my%20app/cam%C3%A9ra", play: "rtmp://h:1935/my%20app/cam%C3%A9ra",
	},
	{name: "http scheme", url: "http://h/live", stream: "s", wantErr: ErrUnsupportedScheme},
	{name: "no scheme", url: "h/live", stream: "s", wantErr: ErrUnsupportedScheme},
	{name: "no host", url: "rtmp:///live", stream: "s", wantErr: ErrMissingHost},
	{name: "opaque", url: "rtmp:h/live", stream: "s", wantErr: ErrMissingHost},
	{name: "empty app", url: "rtmp://h:1935", stream: "s", wantErr: ErrMissingApp},
	{name: "slash only app", url: "rtmp://h//", stream: "s", wantErr: ErrMissingApp},
	{name: "fragment in URL", url: "rtmp://h/live#x", stream: "s", wantErr: ErrInvalidURL},
	{name: "port out of range", url: "rtmp://h:70000/live", stream: "s", wantErr: ErrInvalidURL},
	{name: "zone", url: "rtmp://[fe80::1%25eth0]/live", stream: "s", wantErr: ErrInvalidURL},
	{name: "bad host character", url: "rtmp://h%21/live", stream: "s", wantErr: ErrInvalidURL},
	{name: "escaped question mark in app", url: "rtmp://h/a%3Fb", stream: "s", wantErr: ErrInvalidURL},
	{name: "not a URL", url: "rtmp://h:x/live", stream: "s", wantErr: ErrInvalidURL},
	{name: "empty stream", url: "rtmp://h/live", stream: "", wantErr: ErrInvalidStream},
	{name: "stream with slash", url: "rtmp://h/live", stream: "a/b", wantErr: ErrInvalidStream},
	{name: "stream with query", url: "rtmp://h/live", stream: "a?b", wantErr: ErrInvalidStream},
	{name: "stream with hash", url: "rtmp://h/live", stream: "a#b", wantErr: ErrInvalidStream},
	{name: "stream with space", url: "rtmp://h/live", stream: "a b", wantErr: ErrInvalidStream},
	{name: "stream with control", url: "rtmp://h/live", stream: "a\x00", wantErr: ErrInvalidStream},
	{name: "stream not UTF-8", url: "rtmp://h/live", stream: "\xff", wantErr: ErrInvalidStream},
}
