// Package strictjson checks JSON documents for what encoding/json lets
// through silently: an object key given twice (the decoder keeps the last
// value, and matches struct fields without regard to case, so
// {"author": "a", "Author": "b"} means one thing to this decoder and another
// to a first-wins or case-sensitive reader), trailing data after the value,
// and unbounded nesting. The packages that read evidence (manifest, policy,
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

// DefaultMaxDepth is the nesting limit when Options.MaxDepth is zero.
const DefaultMaxDepth = 10000

// Options tune Check.
type Options struct {
	// MaxDepth bounds the nesting of objects and arrays; zero means
	// DefaultMaxDepth. The top-level value is at depth 1.
	MaxDepth int
	// Fold reports whether the keys of the object reached by path are
	// compared as encoding/json matches them to struct fields (FoldKey),
	// rather than exactly (the keys of a map). path holds the key of each
	// enclosing object member, "" for an array element, and is empty for
	// the top-level value. Nil folds every object.
	Fold func(path []string) bool
}

// Check reports whether data is exactly one JSON value with no key given
// twice in any object and no deeper nesting than allowed. Its errors wrap
// ErrDuplicateKey, ErrTooDeep or ErrTrailingData, or are the decoder's
// syntax errors.
func Check(data []byte, o Options) error {
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
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
	if len(c.path) >= c.o.MaxDepth {
		return fmt.Errorf("%w: deeper than %d", ErrTooDeep, c.o.MaxDepth)
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
