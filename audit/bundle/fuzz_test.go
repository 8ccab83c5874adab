package bundle_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"testing"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
)

// FuzzRead checks that the bundle parser never panics, that
// whatever it accepts writes back (WriteTarGz) to an archive it reads again
// to the same files, and that the verifier neither panics on it nor passes
// it without keys. (WriteTarGz's determinism is TestBundleDeterministic's.) Each input is tried as it is (a tar.gz) and gzip-compressed (so
// that the fuzzer mutates tar headers directly). Seeds: a real bundle, its
// tar stream, and the archives of TestReadRejects.
func FuzzRead(f *testing.F) {
	real := tarGz(f, buildBundle(f, newBundleFixture(f)))
	f.Add(real)
	zr, err := gzip.NewReader(bytes.NewReader(real))
	if err != nil {
		f.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	f.Add([]byte{})
	f.Add(makeTarGz(f, []tarEntry{reg("index.json", "{}\n"), reg("a/b.json", "x")}, nil, nil))
	f.Add(makeTarGz(f, []tarEntry{reg("../x", "x")}, nil, nil))
	f.Add(makeTarGz(f, []tarEntry{reg("a", "x"), reg("a/b", "y")}, nil, nil))
	f.Add(makeTarGz(f, []tarEntry{reg("a", "x")}, []byte("evil"), nil))

	f.Fuzz(func(t *testing.T, data []byte) {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(data)
		zw.Close()
		for _, in := range [][]byte{data, gz.Bytes()} {
			b, err := bundle.Read(bytes.NewReader(in))
			if err != nil {
				if b != nil {
					t.Fatalf("ReadBundle returned a bundle and %v", err)
				}
				continue
			}
			var out bytes.Buffer
			if err := b.WriteTarGz(&out); err != nil {
				t.Fatalf("WriteTarGz: %v", err)
			}
			b2, err := bundle.Read(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatalf("ReadBundle(WriteTarGz(b)): %v", err)
			}
			names := b.Names()
			if got := b2.Names(); !equalStrings(got, names) {
				t.Fatalf("round trip names %q, want %q", got, names)
			}
			for _, name := range names {
				x, _ := b.File(name)
				y, _ := b2.File(name)
				if !bytes.Equal(x, y) {
					t.Fatalf("round trip changed %q", name)
				}
			}
			rep, err := bundle.Verify(context.Background(), b, bundle.Keys{})
			if err == nil || rep == nil || rep.Status() == audit.Verified {
				t.Fatalf("Verify without keys passed a bundle: %v", err)
			}
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
