// Package sipheader reads and writes the few SIP header values whose meaning the gateway acts on
// beyond what sipgo parses: RFC 4028's Session-Expires and Min-SE, and comma-separated option-tag
// and method lists (Supported, Require, Allow); and it checks the values a client gives that go
// into an INVITE (display name, Call-ID, host) against RFC 3261's grammar. Pure: no I/O, no clock.
package sipheader
