package g711

// G.711 is a total mapping in both directions: every byte decodes to a sample
// and every sample encodes to a byte, so this package has no failure modes
// and defines no sentinel errors. The file exists so that the package keeps
// the project's layout; add sentinels here if a fallible API appears.
