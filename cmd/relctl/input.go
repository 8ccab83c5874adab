package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/releasekit/releasekit/internal/boundedfile"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
)

// This file holds how commands read their input files: every file a flag
// or an argument names goes through readInput or openInput, which open it
// as a regular file only (a FIFO, a device such as /dev/zero, a socket or a
// directory is refused at once, without blocking) and read it up to a
// bound; a missing, unreadable, irregular or oversized file is bad input
// (exit 2, an *inputError naming the flag and the path). Standard input
// (relctl parse) is the one exception: it is a pipe by nature, read up to
// maxMessage bytes.

// Bounds of the files commands read.
const (
	// maxInputFile bounds key, keyring, allowed_signers, message, policy,
	// pull-request, template, manifest, signature, checkpoint and
	// evidence files.
	maxInputFile = 1 << 20
	// maxDocumentFile bounds SBOMs and envelopes (sbom.DefaultMaxSize).
	maxDocumentFile = sbom.DefaultMaxSize
)

// An inputError is a file input refused: missing or unreadable, not a
// regular file, or larger than its bound. Commands return it as a usage
// error (exit 2).
type inputError struct {
	Flag string // "--key"; "" for an argument
	Path string
	Err  error // *fs.PathError, or *boundedfile.Error (ErrNotRegular, ErrTooLarge)
}

func (e *inputError) Error() string {
	var be *boundedfile.Error
	reason := e.Err.Error()
	if errors.As(e.Err, &be) {
		reason = be.Reason
	} else if pe := (*fs.PathError)(nil); errors.As(e.Err, &pe) {
		reason = pe.Err.Error()
	}
	if e.Flag == "" {
		return fmt.Sprintf("%s: %s", e.Path, reason)
	}
	return fmt.Sprintf("%s %s: %s", e.Flag, e.Path, reason)
}

func (e *inputError) Unwrap() error { return e.Err }

// readInput reads the regular file path that flag names (flag "" for an
// argument), of at most max bytes.
func readInput(flag, path string, max int64) ([]byte, error) {
	b, err := boundedfile.ReadFile(path, max)
	if err != nil {
		return nil, usageError{&inputError{Flag: flag, Path: path, Err: err}}
	}
	return b, nil
}

// openInput opens the regular file path that flag names, for a reader that
// bounds what it reads itself or reads it to digest it (artifacts).
func openInput(flag, path string) (*os.File, error) {
	f, err := boundedfile.Open(path)
	if err != nil {
		return nil, usageError{&inputError{Flag: flag, Path: path, Err: err}}
	}
	return f, nil
}

// readSmallFile reads a key, keyring, message, policy or evidence file, of
// at most maxInputFile bytes: readInput without a flag to name.
func readSmallFile(path string) ([]byte, error) {
	return readInput("", path, maxInputFile)
}

// readEmergency reads an emergency-change record (--emergency FILE), or
// returns nil without a file.
func readEmergency(file string) (*manifest.EmergencyChange, error) {
	if file == "" {
		return nil, nil
	}
	b, err := readInput("--emergency", file, maxInputFile)
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
	data, err := readInput("--manifest", file, maxInputFile)
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
// artifact in path (--artifact), a regular file of any size.
func subjectOfFile(path string) (sbom.Subject, error) {
	f, err := openInput("--artifact", path)
	if err != nil {
		return sbom.Subject{}, err
	}
	defer f.Close()
	return sbom.SubjectOf(filepath.Base(path), f)
}
