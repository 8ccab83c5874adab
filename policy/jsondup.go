package policy

import (
	"errors"
	"io"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// maxJSON bounds the pull-request and promotion-request documents read.
const maxJSON = 16 << 20

// maxJSONDepth bounds the nesting of the documents read.
const maxJSONDepth = 1000

// readStrictJSON reads one JSON document of at most 16 MiB from r and
// decodes it into v with [unmarshalStrict].
func readStrictJSON(r io.Reader, v any, foldAll bool) error {
	data, err := io.ReadAll(io.LimitReader(r, maxJSON+1))
	if err != nil {
		return err
	}
	if len(data) > maxJSON {
		return errors.New("larger than 16 MiB")
	}
	return unmarshalStrict(data, v, foldAll)
}

// unmarshalStrict decodes data into v with strictjson.Unmarshal: unknown
// fields and trailing data are refused, and so is an object that repeats a
// key: encoding/json would keep the last value (and matches struct fields
// case-insensitively), so {"author": "a", "Author": "b"} could smuggle a
// second value past a reviewer of the file. The keys of the top-level
// object (struct fields) are compared case-insensitively, those of nested
// objects too when foldAll is set (documents without maps), else exactly
// (map keys).
func unmarshalStrict(data []byte, v any, foldAll bool) error {
	fold := func(path []string) bool { return foldAll || len(path) == 0 }
	return strictjson.Unmarshal(data, v, strictjson.Options{MaxDepth: maxJSONDepth, Fold: fold})
}
