package tlog_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/releasekit/releasekit/tlog"
)

// FuzzParseCheckpoint: ParseCheckpoint never panics, refuses with
// ErrFormat, and what it accepts marshals back to the same bytes.
func FuzzParseCheckpoint(f *testing.F) {
	for _, text := range goodCheckpoints {
		f.Add([]byte(text))
	}
	for _, tc := range badCheckpoints {
		f.Add([]byte(tc.text))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := tlog.ParseCheckpoint(text)
		if err != nil {
			if !errors.Is(err, tlog.ErrFormat) {
				t.Fatalf("ParseCheckpoint(%q): %v does not wrap ErrFormat", text, err)
			}
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("ParseCheckpoint(%q) = %+v, which does not marshal: %v", text, c, err)
		}
		if !bytes.Equal(out, text) {
			t.Fatalf("ParseCheckpoint(%q).Marshal() = %q", text, out)
		}
	})
}

// FuzzOpenCheckpoint: OpenCheckpoint never panics and refuses with one of
// its typed errors; what it accepts is a checkpoint signed by the key.
func FuzzOpenCheckpoint(f *testing.F) {
	key := testKey(1)
	s, err := tlog.NewSigner("example.com/log", key)
	if err != nil {
		f.Fatal(err)
	}
	for _, text := range goodCheckpoints {
		c, err := tlog.ParseCheckpoint([]byte(text))
		if err != nil {
			f.Fatal(err)
		}
		c.Origin = "example.com/log"
		msg, err := tlog.SignCheckpoint(c, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
		f.Add(append(msg, msg...))
		f.Add(bytes.Replace(msg, []byte("\n\n"), []byte("\n"), 1))
	}
	known := tlog.Ed25519Keys{key.Public().(ed25519.PublicKey)}
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, n, err := tlog.OpenCheckpoint(msg, known)
		if err != nil {
			var se *tlog.SignatureError
			if !errors.Is(err, tlog.ErrFormat) && !errors.As(err, &se) {
				t.Fatalf("OpenCheckpoint(%q): untyped error %v", msg, err)
			}
			return
		}
		if len(n.Sigs) == 0 || c.Origin == "" {
			t.Fatalf("OpenCheckpoint(%q) = %+v, %+v", msg, c, n)
		}
	})
}
