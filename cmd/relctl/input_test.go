//go:build unix

package main

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/releasekit/releasekit/internal/boundedfile"
)

// TestInputNotRegular names a FIFO without a writer, /dev/zero and a
// directory as each kind of file input: every command refuses it at once
// with exit 2 and a message naming the flag and the path (before, the
// FIFO blocked the open and /dev/zero was read until the bound).
func TestInputNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	if err := os.Mkdir(store, 0o755); err != nil { // an (empty) evidence store
		t.Fatal(err)
	}
	inputs := map[string]string{"fifo": fifo, "directory": t.TempDir()}
	if fi, err := os.Stat("/dev/zero"); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		inputs["/dev/zero"] = "/dev/zero"
	}
	for _, tc := range []struct {
		flag string // "" for an argument
		args func(p string) []string
	}{
		{"", func(p string) []string { return []string{"manifest", "diff", p, regular} }},
		{"--manifest", func(p string) []string { return []string{"manifest", "sign", "--manifest", p, "--key", regular} }},
		{"--allowed-signers", func(p string) []string {
			return []string{"manifest", "verify", "--manifest", regular, "--allowed-signers", p}
		}},
		{"--keyring", func(p string) []string { return []string{"verify", "--tag", "v1.0.0", "--keyring", p} }},
		{"--config", func(p string) []string { return []string{"policy", "--config", p} }},
		{"--pr", func(p string) []string { return []string{"policy", "--pr", p} }},
		{"--key", func(p string) []string {
			return []string{"provenance", "verify", "--envelope", regular, "--artifact", regular, "--key", p}
		}},
		{"--envelope", func(p string) []string {
			return []string{"provenance", "verify", "--envelope", p, "--artifact", regular, "--key", writePublicKey(t)}
		}},
		{"--artifact", func(p string) []string { return []string{"sbom", "check", "--sbom", regular, "--artifact", p} }},
		{"--sbom", func(p string) []string { return []string{"sbom", "check", "--sbom", p, "--artifact", regular} }},
		{"--template", func(p string) []string { return []string{"changelog", "--template", p} }},
		{"--checkpoint", func(p string) []string { return []string{"log", "verify", "--store", store, "--checkpoint", p} }},
		{"--incidents", func(p string) []string {
			return []string{"audit", "report", "--store", store, "--since", "2026-01-01", "--until", "2026-02-01", "--out", "-", "--incidents", p}
		}},
	} {
		for kind, p := range inputs {
			args := tc.args(p)
			t.Run(strings.Join(args[:2], " ")+" "+tc.flag+" "+kind, func(t *testing.T) {
				_, stderr, code := relctl(t, "", args...)
				if code != 2 {
					t.Fatalf("relctl %s: exit %d, want 2; stderr:\n%s", strings.Join(args, " "), code, stderr)
				}
				want := p + ": not a regular file"
				if tc.flag != "" {
					want = tc.flag + " " + want
				}
				if !strings.Contains(stderr, want) {
					t.Errorf("relctl %s: stderr %q, want %q", strings.Join(args, " "), stderr, want)
				}
			})
		}
	}
}

// TestInputErrorTyped: the refusal is an *inputError naming the flag and
// the path, wrapping boundedfile's error, and a usage error (exit 2).
func TestInputErrorTyped(t *testing.T) {
	dir := t.TempDir()
	_, err := readInput("--key", dir, maxInputFile)
	var ie *inputError
	if !errors.As(err, &ie) || ie.Flag != "--key" || ie.Path != dir || !errors.Is(err, boundedfile.ErrNotRegular) {
		t.Fatalf("readInput(directory) = %v, want an *inputError for --key wrapping ErrNotRegular", err)
	}
	var ue usageError
	if !errors.As(err, &ue) {
		t.Errorf("readInput(directory) = %v, not a usage error", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readInput("--policy", big, 10); !errors.Is(err, boundedfile.ErrTooLarge) || err.Error() != "--policy "+big+": larger than 10 bytes" {
		t.Errorf("readInput(11 bytes, bound 10) = %v", err)
	}
	if _, err := readInput("--pr", filepath.Join(dir, "missing"), 10); !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "--pr "+dir) {
		t.Errorf("readInput(missing) = %v", err)
	}
}

// writePublicKey writes a PEM Ed25519 public key and returns its path.
func writePublicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "key.pub")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
