// Package testutil is what sipcast's black-box tests (e2e/) and its load harness (bench/harness)
// share: building the sipcast binary, running it as a process on loopback and waiting for
// conditions. It holds no test of its own making and is never imported by the product.
package testutil
