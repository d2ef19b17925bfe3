package jitter

import "errors"

// ErrConfig: a Config the buffer cannot honour (negative depth, a size that is
// not a power of two within bounds).
var ErrConfig = errors.New("jitter: invalid config")
