package tlog_test

// This file imports golang.org/x/mod/sumdb/note and the standard library
// only: a checkpoint written by this package verifies with the note
// package and the log's public verifier key alone.

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// interopVKey is the log's public verifier key: what an auditor is given.
const interopVKey = "example.com/releasekit/interop+b33a1f9a+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"

func TestCheckpointVerifiesWithNoteAlone(t *testing.T) {
	msg, err := os.ReadFile(filepath.Join("testdata", "interop", "checkpoint.note"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(interopVKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != "example.com/releasekit/interop" {
		t.Fatalf("signatures %+v", n.Sigs)
	}
	// The body, by hand (c2sp.org/tlog-checkpoint): origin, decimal size,
	// base64 root hash, each line ending in a newline.
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("text %q: want three lines", n.Text)
	}
	if lines[0] != "example.com/releasekit/interop" {
		t.Errorf("origin %q", lines[0])
	}
	if size, err := strconv.ParseUint(lines[1], 10, 64); err != nil || size != 13 {
		t.Errorf("size %q", lines[1])
	}
	if root, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(root) != 32 {
		t.Errorf("root %q", lines[2])
	}

	// One changed byte, and the note package refuses it.
	bad := strings.Replace(string(msg), "\n13\n", "\n12\n", 1)
	if _, err := note.Open([]byte(bad), note.VerifierList(v)); err == nil {
		t.Fatal("note.Open accepted a checkpoint whose size was changed")
	} else if _, ok := err.(*note.InvalidSignatureError); !ok {
		t.Fatalf("note.Open: %v, want an InvalidSignatureError", err)
	}
}
