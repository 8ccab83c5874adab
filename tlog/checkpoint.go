package tlog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxCheckpointSize bounds the note text of a checkpoint, and
// MaxNoteSize a signed checkpoint (text and signatures): larger input is
// refused before it is parsed.
const (
	MaxCheckpointSize = 16 << 10
	MaxNoteSize       = 256 << 10
)

// A Checkpoint is the head of a log's Merkle tree in the C2SP
// tlog-checkpoint format (https://c2sp.org/tlog-checkpoint): the log's
// origin, the tree size and the root hash of the tree of that size, and
// optional extension lines. Signed, it is the text of a note
// ([SignCheckpoint], [OpenCheckpoint]); a newer checkpoint of the same
// origin is shown to extend an older one with [VerifyCheckpoints].
//
// A Checkpoint is a value; Marshal never changes it.
type Checkpoint struct {
	// Origin names the log: non-empty, one line. By the format's
	// recommendation it is a schema-less URL with neither spaces nor
	// '+', and the log's note key is named after it.
	Origin string
	// Size is the number of leaves of the tree.
	Size uint64
	// Root is the RFC 6962 root hash of the tree of Size leaves
	// ([EmptyRoot] when Size is 0).
	Root Hash
	// Extensions are opaque, non-empty lines after the root (the format
	// advises against them: log monitors cannot audit them).
	Extensions []string
}

// Marshal returns the note text of c: the origin, the decimal size and the
// base64 root hash, then each extension, every line ending in a newline.
// It returns an error wrapping [ErrFormat] when a line of c would not
// parse back as itself: an empty origin or extension, or one holding a
// newline, another control character or invalid UTF-8.
func (c Checkpoint) Marshal() ([]byte, error) {
	if err := checkLine("origin", c.Origin); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatUint(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root[:]))
	b.WriteByte('\n')
	for i, e := range c.Extensions {
		if err := checkLine(fmt.Sprintf("extension line %d", i+1), e); err != nil {
			return nil, err
		}
		b.WriteString(e)
		b.WriteByte('\n')
	}
	if b.Len() > MaxCheckpointSize {
		return nil, &CheckpointError{Reason: fmt.Sprintf("text of %d bytes exceeds %d", b.Len(), MaxCheckpointSize)}
	}
	return b.Bytes(), nil
}

// checkLine refuses a line that is empty, not UTF-8 or holds a control
// character: it could not be read back as one line of a note.
func checkLine(what, s string) error {
	switch {
	case s == "":
		return &CheckpointError{Reason: what + " is empty"}
	case !utf8.ValidString(s):
		return &CheckpointError{Reason: what + " is not UTF-8"}
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }):
		return &CheckpointError{Reason: what + " holds a control character"}
	}
	return nil
}

// ParseCheckpoint parses the note text of a checkpoint, strictly: exactly
// what [Checkpoint.Marshal] writes, so that a parsed checkpoint marshals
// back to the same bytes. It returns a [*CheckpointError] wrapping
// [ErrFormat] for every other shape: text that is empty, larger than
// [MaxCheckpointSize], not UTF-8, holding a control character other than
// newline, or not ending in a newline; fewer than three lines; an empty
// origin or extension line (so no blank line); a size that is not the
// decimal of a uint64 without sign, spaces or leading zeros; a root that
// is not the canonical padded standard base64 of 32 bytes; a tree of size
// 0 whose root is not [EmptyRoot].
//
// The text is not authenticated: use [OpenCheckpoint] on a signed note.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	if len(text) > MaxCheckpointSize {
		return Checkpoint{}, &CheckpointError{Reason: fmt.Sprintf("text of %d bytes exceeds %d", len(text), MaxCheckpointSize)}
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return Checkpoint{}, &CheckpointError{Reason: "text does not end in a newline"}
	}
	if !utf8.Valid(text) {
		return Checkpoint{}, &CheckpointError{Reason: "text is not UTF-8"}
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, &CheckpointError{Reason: fmt.Sprintf("%d lines, want at least 3 (origin, size, root)", len(lines))}
	}
	var c Checkpoint
	if err := checkLine("origin", lines[0]); err != nil {
		return Checkpoint{}, err
	}
	c.Origin = lines[0]
	size, err := parseSize(lines[1])
	if err != nil {
		return Checkpoint{}, err
	}
	c.Size = size
	root, err := parseRoot(lines[2])
	if err != nil {
		return Checkpoint{}, err
	}
	c.Root = root
	if c.Size == 0 && c.Root != EmptyRoot {
		return Checkpoint{}, &CheckpointError{Reason: "tree of size 0 with a root other than the empty tree's"}
	}
	for i, e := range lines[3:] {
		if err := checkLine(fmt.Sprintf("extension line %d", i+1), e); err != nil {
			return Checkpoint{}, err
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

func parseSize(s string) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, &CheckpointError{Reason: fmt.Sprintf("size %q is not a decimal number without leading zeros", bound(s))}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, &CheckpointError{Reason: fmt.Sprintf("size %q does not fit 64 bits", bound(s))}
	}
	return n, nil
}

func parseRoot(s string) (Hash, error) {
	var h Hash
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) != HashSize || base64.StdEncoding.EncodeToString(raw) != s {
		return h, &CheckpointError{Reason: fmt.Sprintf("root %q is not the base64 of %d bytes", bound(s), HashSize)}
	}
	copy(h[:], raw)
	return h, nil
}

// A CheckpointError says why a checkpoint's text was refused. It wraps
// [ErrFormat].
type CheckpointError struct {
	Reason string // a short lower-case phrase
}

func (e *CheckpointError) Error() string { return "tlog: checkpoint: " + e.Reason }

// Unwrap returns [ErrFormat].
func (e *CheckpointError) Unwrap() error { return ErrFormat }
