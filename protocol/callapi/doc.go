// Package callapi is the JSON wire format of the spec's REST API and status notifications: the call
// object, the /call/startup body and the status names. It is shared by the REST front end and the
// actors (which publish call snapshots), and it is pure: no I/O, no actors.
//
// Clients written against the original product send booleans and ports as strings, often empty
// ("hasAudio":"true", "sipPort":"", "sipOutboundProxy":""); the types here accept both shapes and
// treat an empty string as absent.
package callapi
