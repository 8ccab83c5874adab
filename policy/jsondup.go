package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// maxJSON bounds the pull-request and promotion-request documents read.
const maxJSON = 16 << 20

// readStrictJSON reads one JSON document from r and rejects an object that
// repeats a key: encoding/json would keep the last value (and matches
// struct fields case-insensitively), so {"author": "a", "Author": "b"}
// could smuggle a second value past a reviewer of the file. The keys of
// the top-level object (struct fields) are compared case-insensitively,
// those of nested objects too when foldAll is set (documents without maps),
// else exactly (map keys). The caller decodes the bytes returned.
func readStrictJSON(r io.Reader, foldAll bool) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSON+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxJSON {
		return nil, errors.New("larger than 16 MiB")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := checkDupes(dec, 0, foldAll); err != nil {
		return nil, err
	}
	return data, nil
}

// checkDupes walks one value; depth 0 is the top-level object, whose keys
// are struct fields (case-insensitive); deeper objects are compared
// case-insensitively too when foldAll is set.
func checkDupes(dec *json.Decoder, depth int, foldAll bool) error {
	if depth > 1000 {
		return errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '[':
		for dec.More() {
			if err := checkDupes(dec, depth+1, foldAll); err != nil {
				return err
			}
		}
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			norm := k
			if depth == 0 || foldAll {
				norm = foldKey(k)
			}
			if seen[norm] {
				return fmt.Errorf("key %q given twice", k)
			}
			seen[norm] = true
			if err := checkDupes(dec, depth+1, foldAll); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// foldKey folds k as encoding/json does when it matches object keys to
// struct fields: each rune to the upper case of its lower case, so that
// "k", "K" and the Kelvin sign, or "s", "S" and the long s, are one key.
func foldKey(k string) string {
	var b strings.Builder
	for _, r := range k {
		b.WriteRune(unicode.ToUpper(unicode.ToLower(r)))
	}
	return b.String()
}
