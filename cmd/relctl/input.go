package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
)

// This file holds how commands read their input files: bounded, with an
// unreadable file reported as bad input (exit 2).

// maxInputFile bounds what key, keyring and message files may hold.
const maxInputFile = 1 << 20

// readSmallFile reads a key, keyring, message, policy or evidence file named
// by a flag, of at most maxInputFile bytes.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInputFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInputFile {
		return nil, usagef("%s: larger than %d bytes", path, maxInputFile)
	}
	return b, nil
}

// readEmergency reads an emergency-change record (--emergency FILE), or
// returns nil without a file.
func readEmergency(file string) (*manifest.EmergencyChange, error) {
	if file == "" {
		return nil, nil
	}
	b, err := readSmallFile(file)
	if err != nil {
		return nil, err
	}
	em := new(manifest.EmergencyChange)
	if err := strictjson.Unmarshal(b, em, strictjson.Options{}); err != nil {
		return nil, usagef("--emergency %s: %v", file, err)
	}
	return em, nil
}

// readManifestFile reads and parses a manifest file and returns it with its
// content digest.
func readManifestFile(file string) (manifest.Manifest, string, error) {
	data, err := readSmallFile(file)
	if err != nil {
		return manifest.Manifest{}, "", err
	}
	m, err := manifest.ParseManifest(data)
	if err != nil {
		return manifest.Manifest{}, "", usageError{fmt.Errorf("--manifest %s: %w", file, err)}
	}
	d, err := m.Digest()
	if err != nil {
		return manifest.Manifest{}, "", usageError{fmt.Errorf("--manifest %s: %w", file, err)}
	}
	return m, d, nil
}

// subjectOfFile returns the in-toto subject (name and digests) of the
// artifact in path.
func subjectOfFile(path string) (sbom.Subject, error) {
	f, err := os.Open(path)
	if err != nil {
		return sbom.Subject{}, err
	}
	defer f.Close()
	return sbom.SubjectOf(filepath.Base(path), f)
}
