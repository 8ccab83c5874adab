package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// exactKeys returns ErrMalformed unless every key of every JSON object in
// data that decodes into a struct of v's type is spelled exactly as the
// field's JSON name. encoding/json matches names without regard to case,
// so {"_Type": ...} would fill _type here while a case-sensitive reader of
// the same bytes (in-toto, DSSE libraries in other languages) sees no
// _type: the two would not agree on what was signed or checked.
func exactKeys(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return walkExact(doc, reflect.TypeOf(v), "")
}

func walkExact(v any, t reflect.Type, at string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // a type mismatch is the decoder's to report
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
		}
		for k, x := range m {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("%w: key %q at %s/ is not a field name as spelled", ErrMalformed, k, at)
			}
			if err := walkExact(x, ft, at+"/"+k); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		xs, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, x := range xs {
			if err := walkExact(x, t.Elem(), fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for k, x := range m {
			if err := walkExact(x, t.Elem(), at+"/"+k); err != nil {
				return err
			}
		}
	}
	return nil
}
