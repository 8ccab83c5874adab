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

// readStrictJSON reads one JSON document from r and rejects an object that
// repeats a key: encoding/json would keep the last value (and matches
// struct fields case-insensitively), so {"author": "a", "Author": "b"}
// could smuggle a second value past a reviewer of the file. The keys of
// the top-level object (struct fields) are compared case-insensitively,
// those of nested objects too when foldAll is set (documents without maps),
// else exactly (map keys). Trailing data after the document is refused.
// The caller decodes the bytes returned.
func readStrictJSON(r io.Reader, foldAll bool) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSON+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxJSON {
		return nil, errors.New("larger than 16 MiB")
	}
	fold := func(path []string) bool { return foldAll || len(path) == 0 }
	if err := strictjson.Check(data, strictjson.Options{MaxDepth: maxJSONDepth, Fold: fold}); err != nil {
		return nil, err
	}
	return data, nil
}
