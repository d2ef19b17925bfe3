package transcoder

// ForcePanic makes the actor panic inside Receive, for the fault-injection test that proves a
// transcoder is restarted and the stream resumes.
type ForcePanic struct{}
