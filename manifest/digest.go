package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// ErrInvalidDigest is returned (wrapped) when a digest is not "sha256:"
// followed by 64 lowercase hexadecimal digits, or, where a SHA-512 digest is
// allowed, "sha512:" followed by 128.
var ErrInvalidDigest = errors.New("manifest: invalid digest")

// ValidateDigest reports whether d is a SHA-256 digest in the form
// "sha256:" + 64 lowercase hex digits. It returns an error wrapping
// [ErrInvalidDigest] otherwise.
func ValidateDigest(d string) error {
	return validateHex(d, "sha256:", 64)
}

// ValidateSHA512 is [ValidateDigest] for "sha512:" + 128 lowercase hex
// digits. It returns an error wrapping [ErrInvalidDigest].
func ValidateSHA512(d string) error {
	return validateHex(d, "sha512:", 128)
}

func validateHex(d, prefix string, n int) error {
	hexPart, ok := strings.CutPrefix(d, prefix)
	if !ok || len(hexPart) != n || !isLowerHex(hexPart) {
		return fmt.Errorf("%w: %q: want %s and %d lowercase hex digits", ErrInvalidDigest, d, prefix, n)
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isCommit reports whether s is a full 40-digit (SHA-1) or 64-digit
// (SHA-256) lowercase git object name.
func isCommit(s string) bool {
	return (len(s) == 40 || len(s) == 64) && isLowerHex(s)
}

// Digest returns the SHA-256 digest of data as "sha256:" + lowercase hex.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// canonical encodes v as canonical JSON in the manner of RFC 8785: object
// keys sorted by their UTF-16 code units (byte order for the ASCII keys this
// package uses), no insignificant whitespace, strings escaped minimally
// (HTML characters are not escaped), integers written as integers.
func canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, tree); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if v {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return fmt.Errorf("non-integer number %s", v)
		}
		buf.WriteString(string(v))
	case string:
		writeString(buf, v)
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, v[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

// writeString writes s as a JSON string with the RFC 8785 escapes: \" \\
// \b \f \n \r \t, other control characters as \u00xx, everything else as is.
func writeString(buf *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	buf.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if r < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[r>>4])
				buf.WriteByte(hexDigits[r&0xf])
			} else {
				buf.WriteRune(r)
			}
		}
	}
	buf.WriteByte('"')
}

// decodeStrict decodes exactly one JSON value from data into v with
// strictjson.Unmarshal, rejecting unknown fields, trailing data and
// duplicate object keys. Go's decoder keeps the last of two equal keys and
// matches struct fields case-insensitively, so such a document would mean
// one thing here and another to a first-wins or case-sensitive reader. Keys
// are compared the way the decoder matches field names (case-folded), except
// in the free-form "extra" map of a record, whose keys the decoder does not
// fold: there only identical keys are duplicates.
func decodeStrict(data []byte, v any) error {
	return strictjson.Unmarshal(data, v, strictjson.Options{Fold: func(path []string) bool {
		// strings.EqualFold is FoldKey equality, without allocating: this
		// runs once per object with its path, at most DefaultMaxDepth long.
		return !slices.ContainsFunc(path, func(k string) bool { return strings.EqualFold(k, "extra") })
	}})
}
