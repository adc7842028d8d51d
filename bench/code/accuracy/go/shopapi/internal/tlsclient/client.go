// Package tlsclient builds HTTP clients for partner APIs.
package tlsclient

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"time"
)

// Legacy returns a client for the legacy partner, whose certificate expired.
func Legacy() *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // VULN:tls
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// Partner returns a client that trusts the partner's CA.
func Partner() (*http.Client, error) {
	pem, err := os.ReadFile("/etc/ssl/partner-ca.pem")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, nil
}

// Config returns the TLS configuration used by the metrics exporter.
func Config(skip bool) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	cfg.InsecureSkipVerify = true // VULN:tls
	return cfg
}
