package commits

import (
	"bytes"
	"testing"
)

// FuzzParseRawCommit feeds arbitrary bytes to the commit object decoder: it
// must never panic, and what it accepts must have a tree and well-formed
// parent ids.
func FuzzParseRawCommit(f *testing.F) {
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1700000000 +0100\ncommitter C <c@x> 1700000000 -0230\n\nfeat: x\n"))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 2 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n abc\n -----END PGP SIGNATURE-----\n\nmsg"))
	f.Add([]byte("tree zz\n\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseRawCommit(data)
		if err != nil {
			return
		}
		if !bytes.Contains(data, []byte("tree ")) {
			t.Fatalf("accepted without a tree line: %q", data)
		}
		_ = parseIdent(c.author)
		_ = parseIdent(c.committer)
	})
}

// FuzzTreeEntry feeds arbitrary tree objects to the entry lookup.
func FuzzTreeEntry(f *testing.F) {
	f.Add([]byte("100644 a.txt\x00aaaaaaaaaaaaaaaaaaaa40000 api\x00bbbbbbbbbbbbbbbbbbbb"), "api")
	f.Add([]byte("100644 a"), "a")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		_ = treeEntry(data, name)
	})
}
