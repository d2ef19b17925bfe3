package metrics

import (
	"io"
	"runtime"
)

// The process-wide figures. Each is incremented in place by the package that sees the event.
var (
	// RTMPBytes counts the bytes of media (FLV tag bodies) written to RTMP servers.
	RTMPBytes Counter
	// RTMPReconnects counts successful re-publishes after a lost RTMP connection.
	RTMPReconnects Counter
	// RTMPDropped counts frames a publisher dropped because its server did not keep up.
	RTMPDropped Counter
	// RTMPFilledMillis counts the milliseconds during which a publisher filled a gap in the
	// call's media (exposed in seconds).
	RTMPFilledMillis Counter
	// MediaRejected counts frames dropped because what the device sent could not be parsed or
	// was out of range, by reason (RejectedH264Params, RejectedVP8): they never reach a muxer.
	MediaRejected CounterVec
	// RTPStrangers counts RTP (and RTCP) packets dropped because they came from a source that
	// is not the call's device (see actors/rtp's source check).
	RTPStrangers Counter
	// GoroutinePanics counts panics recovered in goroutines actors own, by goroutine; each one is
	// reported to its actor, which restarts the part.
	GoroutinePanics CounterVec
	// AudioConcealed counts lost audio packets the transcoder made up (Opus FEC or PLC, Speex
	// PLC) instead of leaving silence.
	AudioConcealed Counter

	// NotifyQueued is the number of status notifications waiting for delivery.
	NotifyQueued Gauge
	// NotifyDelivered counts notifications the app accepted (2xx).
	NotifyDelivered Counter
	// NotifyFailures counts failed delivery attempts (each retry that fails counts once).
	NotifyFailures Counter
	// NotifyDropped counts notifications given up on, by reason: queue_full, retries, rejected.
	NotifyDropped CounterVec

	// MailboxDropped counts media messages dropped because their actor's mailbox held as many
	// as it may (internal/mailbox), by actor kind (rtp, rtmp).
	MailboxDropped CounterVec
	// ActorFailures counts supervision decisions after an actor failed, by directive
	// (restart, stop, resume, escalate).
	ActorFailures CounterVec
	// CallsEnded counts calls that reached a final status, by status.
	CallsEnded CounterVec
	// DTMFSent counts DTMF digits sent, by type (RFC2833, INFO).
	DTMFSent CounterVec
	// AuthFailures counts REST requests refused for missing or wrong credentials.
	AuthFailures Counter
	// AuthThrottled counts REST requests refused because their client failed too often.
	AuthThrottled Counter
	// SSEClients is the number of open /rest-api/events streams.
	SSEClients Gauge
	// AcceptErrors counts failed accepts (out of file descriptors, mostly), by listener: rest,
	// sip-tcp, sip-tls, rtmp. Each is waited out, never fatal.
	AcceptErrors CounterVec
	// ConnsRefused counts connections closed at once because a listener's total or per-source
	// cap was reached, by listener.
	ConnsRefused CounterVec

	// RTPPollRounds, RTPPollReads and RTPPollDatagrams count the RTP poller's rounds, its
	// recvmmsg calls and the datagrams they took (internal/udppoll): datagrams per read and reads
	// per round are what its batching achieves.
	RTPPollRounds, RTPPollReads, RTPPollDatagrams Counter
)

// Reasons of MediaRejected.
const (
	RejectedH264Params = "h264_params"
	RejectedVP8        = "vp8"
	RejectedTruncated  = "rtp_truncated" // an RTP datagram longer than sipcast reads (9,000 bytes)
)

// Write writes every process-wide family. The REST layer adds what it asks the engine for
// (calls by status) before it.
func Write(out io.Writer) error {
	w := NewWriter(out)
	writeRTP(w)
	w.Counter("sipcast_rtmp_bytes_total", "Media bytes written to RTMP servers.", &RTMPBytes)
	w.Counter("sipcast_rtmp_reconnects_total", "RTMP publishes re-established after a lost connection.", &RTMPReconnects)
	w.Counter("sipcast_rtmp_dropped_frames_total", "Frames dropped because an RTMP server did not keep up (whole GOPs).", &RTMPDropped)
	w.Header("sipcast_rtmp_filled_seconds_total", "counter", "Time RTMP publishers filled a gap in a call's media (last picture, silence), summed over publishers.")
	w.Sample("sipcast_rtmp_filled_seconds_total", float64(RTMPFilledMillis.Value())/1000)
	w.CounterVec("sipcast_media_rejected_total", "Frames dropped because their data could not be parsed or was out of range, by reason.",
		"reason", &MediaRejected, RejectedH264Params, RejectedVP8)
	w.Counter("sipcast_rtp_poll_rounds_total", "Rounds of the RTP poller (each reads every RTP socket that has datagrams waiting).", &RTPPollRounds)
	w.Counter("sipcast_rtp_poll_reads_total", "Reads (recvmmsg system calls) of the RTP poller that took at least one datagram.", &RTPPollReads)
	w.Counter("sipcast_rtp_poll_datagrams_total", "Datagrams the RTP poller read.", &RTPPollDatagrams)
	w.Counter("sipcast_rtp_strangers_total", "RTP and RTCP packets dropped because they came from a source other than the call's device.", &RTPStrangers)
	w.CounterVec("sipcast_goroutine_panics_total", "Panics recovered in goroutines actors own, by goroutine.", "goroutine", &GoroutinePanics)
	w.Counter("sipcast_audio_concealed_packets_total", "Lost audio packets made up by the decoder (Opus FEC/PLC, Speex PLC).", &AudioConcealed)
	w.Gauge("sipcast_notify_queue", "Status notifications waiting for delivery.", &NotifyQueued)
	w.Counter("sipcast_notify_delivered_total", "Status notifications accepted by their app.", &NotifyDelivered)
	w.Counter("sipcast_notify_failures_total", "Failed status notification attempts (retries included).", &NotifyFailures)
	w.CounterVec("sipcast_notify_dropped_total", "Status notifications given up on, by reason.", "reason", &NotifyDropped,
		"queue_full", "retries", "rejected")
	w.CounterVec("sipcast_mailbox_dropped_total", "Media messages dropped because an actor's mailbox was full, by actor kind.",
		"actor", &MailboxDropped, "rtp", "rtmp")
	w.CounterVec("sipcast_actor_failures_total", "Actor failures by the supervision directive taken (restart, stop, resume).",
		"directive", &ActorFailures, "restart", "stop")
	w.CounterVec("sipcast_calls_ended_total", "Calls that reached a final status, by status.", "status", &CallsEnded)
	w.CounterVec("sipcast_dtmf_digits_total", "DTMF digits sent to SIP devices, by type.", "type", &DTMFSent)
	w.Counter("sipcast_auth_failures_total", "REST requests refused for missing or wrong credentials.", &AuthFailures)
	w.Counter("sipcast_auth_throttled_total", "REST requests refused because their client failed authentication too often.", &AuthThrottled)
	w.Gauge("sipcast_sse_clients", "Open /rest-api/events streams.", &SSEClients)
	w.CounterVec("sipcast_accept_errors_total", "Failed accepts (e.g. out of file descriptors), waited out, by listener.",
		"listener", &AcceptErrors, "rest")
	w.CounterVec("sipcast_connections_refused_total", "Connections closed at once over a listener's total or per-source cap, by listener.",
		"listener", &ConnsRefused, "rest")
	writePlayback(w)
	w.Header("go_goroutines", "gauge", "Number of goroutines that currently exist.")
	w.Sample("go_goroutines", float64(runtime.NumGoroutine()))
	return w.Err()
}
