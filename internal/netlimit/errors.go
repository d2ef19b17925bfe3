package netlimit

import "errors"

// ErrClosed is returned by Accept once the listener is closed; it wraps net.ErrClosed so
// servers that test for it stop quietly.
var ErrClosed = errors.New("netlimit: listener closed")
