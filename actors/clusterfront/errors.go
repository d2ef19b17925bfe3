package clusterfront

import "errors"

// ErrNodeUnreachable: another node did not answer, or answered what cannot be read. The
// errors that carry it also wrap callapi.ErrUnavailable (503); a fan-out leaves that node out.
var ErrNodeUnreachable = errors.New("cluster: node unreachable")
