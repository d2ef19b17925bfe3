// Package rtmpurl turns the REST API's rtmpUrl and rtmpStream into an RTMP
// publishing target.
//
// The spec lets rtmpUrl carry an application instance and a query string
// (rtmp://host:1935/live/_definst_?param1=value1). github.com/bluenviron/gortmplib
// takes one URL: its path and query become the RTMP "app" (and tcUrl is the
// URL without fragment), and its fragment is the stream name. Target keeps
// the parts apart and renders each form the gateway needs: the client URL,
// a uniqueness key for the 409 check, a redacted form for logs, and the URL
// a player opens.
package rtmpurl
