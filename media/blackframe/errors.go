package blackframe

// The pictures are embedded and checked by the tests, so nothing in this package can fail at
// run time and it defines no sentinel errors. The file keeps the project's layout; add
// sentinels here if a fallible API appears.
