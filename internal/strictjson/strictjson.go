// Package strictjson checks JSON documents for what encoding/json lets
// through silently: an object key given twice (the decoder keeps the last
// value, and matches struct fields without regard to case, so
// {"author": "a", "Author": "b"} means one thing to this decoder and another
// to a first-wins or case-sensitive reader), trailing data after the value,
// and unbounded nesting. Its cost is linear in the size of the document:
// the nesting is measured in one pass over the bytes before any token is
// read, so a document nested deeper than allowed is refused without being
// walked (a 60 KB document nested 10,000 deep costs one scan), and every
// object calls Options.Fold once. The packages that read evidence (manifest, policy,
// sbom) and relctl decode JSON only through [Unmarshal], which runs [Check]
// and then decodes with unknown fields refused; [Check] alone serves readers
// that decode with another decoder.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Errors of Check; a syntax error of the document is returned as the
// decoder reports it.
var (
	ErrDuplicateKey = errors.New("duplicate key")
	ErrTooDeep      = errors.New("nested too deeply")
	ErrTrailingData = errors.New("trailing data after the JSON value")
)

// DefaultMaxDepth is the nesting limit when Options.MaxDepth is zero: the
// evidence documents releasekit reads (manifests, log entries, records,
// bundles) nest less than ten deep.
const DefaultMaxDepth = 64

// A DepthError reports a document nested deeper than allowed. It wraps
// ErrTooDeep.
type DepthError struct {
	Max    int   // the limit (Options.MaxDepth, or DefaultMaxDepth)
	Offset int64 // byte offset of the bracket that went past it
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("%v: deeper than %d at offset %d", ErrTooDeep, e.Max, e.Offset)
}

// Unwrap returns ErrTooDeep.
func (e *DepthError) Unwrap() error { return ErrTooDeep }

// Options tune Check.
type Options struct {
	// MaxDepth bounds the nesting of objects and arrays; zero means
	// DefaultMaxDepth. The top-level value is at depth 1.
	MaxDepth int
	// Fold reports whether the keys of the object reached by path are
	// compared as encoding/json matches them to struct fields (FoldKey),
	// rather than exactly (the keys of a map). path holds the key of each
	// enclosing object member, "" for an array element, and is empty for
	// the top-level value. Nil folds every object. Fold is called once per
	// object; it should cost no more than the length of path (bounded by
	// MaxDepth), so that Check stays linear in the size of the document.
	Fold func(path []string) bool
}

// Check reports whether data is exactly one JSON value with no key given
// twice in any object and no deeper nesting than allowed. Its errors wrap
// ErrDuplicateKey, ErrTooDeep (a *DepthError) or ErrTrailingData, or are
// the decoder's syntax errors. The nesting is checked first, in one pass
// over data.
func Check(data []byte, o Options) error {
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if err := checkDepth(data, o.MaxDepth); err != nil {
		return err
	}
	c := checker{dec: json.NewDecoder(bytes.NewReader(data)), o: o}
	c.dec.UseNumber()
	if err := c.value(); err != nil {
		return err
	}
	if _, err := c.dec.Token(); err != io.EOF {
		if err == nil {
			err = ErrTrailingData
		} else {
			err = fmt.Errorf("%w: %v", ErrTrailingData, err)
		}
		return err
	}
	return nil
}

// Unmarshal decodes data, which must be exactly one JSON value, into v
// strictly: it runs [Check] with o (duplicate keys, nesting, trailing data)
// and then decodes with encoding/json refusing object keys that match no
// struct field. Errors of Check are returned as Check returns them (wrapping
// ErrDuplicateKey, ErrTooDeep or ErrTrailingData, or a syntax error);
// decoding errors are encoding/json's, unwrapped, so that callers wrap both
// as they need.
func Unmarshal(data []byte, v any, o Options) error {
	if err := Check(data, o); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// checkDepth returns a *DepthError when an array or object of data is
// nested deeper than max, counting brackets outside strings in one pass.
// It checks nothing else: a syntax error is left to the decoder, which
// reads data next.
func checkDepth(data []byte, max int) error {
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		b := data[i]
		if inString {
			switch b {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch b {
		case '"':
			inString = true
		case '[', '{':
			if depth++; depth > max {
				return &DepthError{Max: max, Offset: int64(i)}
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

type checker struct {
	dec  *json.Decoder
	o    Options
	path []string
}

func (c *checker) value() error {
	tok, err := c.dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if len(c.path) >= c.o.MaxDepth { // checkDepth let it through: cannot happen
		return &DepthError{Max: c.o.MaxDepth, Offset: c.dec.InputOffset()}
	}
	switch d {
	case '[':
		c.path = append(c.path, "")
		for c.dec.More() {
			if err := c.value(); err != nil {
				return err
			}
		}
		c.path = c.path[:len(c.path)-1]
	case '{':
		fold := c.o.Fold == nil || c.o.Fold(c.path)
		seen := map[string]bool{}
		for c.dec.More() {
			kt, err := c.dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			norm := k
			if fold {
				norm = FoldKey(k)
			}
			if seen[norm] {
				return fmt.Errorf("%w %q", ErrDuplicateKey, k)
			}
			seen[norm] = true
			c.path = append(c.path, k)
			err = c.value()
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return err
			}
		}
	}
	_, err = c.dec.Token() // the closing delimiter
	return err
}

// FoldKey maps k to one representative of its class under Unicode simple
// case folding (the smallest rune of each rune's folding orbit), so that
// FoldKey(a) == FoldKey(b) exactly when strings.EqualFold(a, b): the way
// encoding/json matches object keys to struct fields ("k", "K" and the
// Kelvin sign, or "s", "S" and the long s, are one key; the dotless i is
// not "I"). A test checks this against the decoder itself.
func FoldKey(k string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, k)
}
