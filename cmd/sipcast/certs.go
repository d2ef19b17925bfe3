package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The self-signed certificate lives in <data_dir>/tls; it is valid this long and made again
// (with a log line) when it has expired.
const (
	certValidity = 5 * 365 * 24 * time.Hour
	certDir      = "tls"
	certFile     = "cert.pem"
	keyFile      = "key.pem"
)

// httpsConfig is the HTTPS listener's TLS configuration: the configured certificate and key, or
// the data directory's self-signed certificate, made at the first start and reused after, so a
// browser told once to accept it keeps accepting it.
func (c Config) httpsConfig(log *slog.Logger) (*tls.Config, error) {
	return c.serverTLS(log, "HTTPS", c.TLSCert, c.TLSKey)
}

// serverTLS is the TLS configuration of one of the gateway's listeners (what: "HTTPS", "SIP
// TLS"): certPath and keyPath, or, when certPath is "", the self-signed certificate every listener
// shares, kept in the data directory.
func (c Config) serverTLS(log *slog.Logger, what, certPath, keyPath string) (*tls.Config, error) {
	if certPath == "" {
		var err error
		var created bool
		hosts := []string{"localhost", "127.0.0.1", "::1", c.SIPIP, c.publicIP()}
		if h, err := os.Hostname(); err == nil {
			hosts = append(hosts, h)
		}
		certPath, keyPath, created, err = ensureSelfSigned(filepath.Join(c.DataDir, certDir), hosts, time.Now())
		if err != nil {
			return nil, fmt.Errorf("self-signed certificate: %w", err)
		}
		if created {
			log.Info("self-signed certificate created", "for", what, "cert", certPath)
		}
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("%s certificate %s: %w", what, certPath, err)
	}
	if leaf, err := x509.ParseCertificate(pair.Certificate[0]); err == nil {
		log.Info(what+" certificate", "cert", certPath, "sha256", fingerprint(leaf.Raw), "notAfter", leaf.NotAfter)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, nil
}

// ensureSelfSigned returns the paths of dir's certificate and key, making them when absent or
// expired. A certificate that exists but cannot be read is an error, not replaced: it may be one
// the operator put there.
func ensureSelfSigned(dir string, hosts []string, now time.Time) (certPath, keyPath string, created bool, err error) {
	certPath, keyPath = filepath.Join(dir, certFile), filepath.Join(dir, keyFile)
	data, err := os.ReadFile(certPath)
	switch {
	case err == nil:
		block, _ := pem.Decode(data)
		if block == nil {
			return "", "", false, fmt.Errorf("%s: no PEM certificate", certPath)
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", "", false, fmt.Errorf("%s: %w", certPath, err)
		}
		if now.Before(leaf.NotAfter) {
			return certPath, keyPath, false, nil
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", "", false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", false, err
	}
	certPEM, keyPEM, err := selfSigned(hosts, now)
	if err != nil {
		return "", "", false, err
	}
	// The key first: a certificate without its key would be an error at every later start.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return "", "", false, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return "", "", false, err
	}
	return certPath, keyPath, true, nil
}

// selfSigned makes an ECDSA P-256 server certificate for hosts (names and addresses).
func selfSigned(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "sipcast", Organization: []string{"sipcast self-signed"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// fingerprint is the SHA-256 of a DER certificate, as browsers show it.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
