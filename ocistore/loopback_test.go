package ocistore

import "testing"

// TestLoopback: plain HTTP is chosen without WithPlainHTTPUnsafe only for
// hosts on the loopback interface.
func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:5000":             true,
		"127.0.0.2":                  true,
		"[::1]:5000":                 true,
		"localhost:5000":             true,
		"localhost":                  true,
		"registry.example.com":       false,
		"127.0.0.1.example.com:5000": false,
		"10.0.0.1:5000":              false,
		"[::ffff:10.0.0.1]:5000":     false,
		"localhost.example.com":      false,
	} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %t, want %t", host, got, want)
		}
	}
}
