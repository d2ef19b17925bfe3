// Package dtmf holds the wire formats of DTMF as a SIP gateway sends and receives them: the digit
// alphabet of the REST API (0-9 * # A-D), RFC 4733 telephone-event payloads and the packet plan
// that spaces them in time, and the bodies of SIP INFO (application/dtmf-relay and
// application/dtmf). Pure: no I/O, no clock, no goroutines.
package dtmf
