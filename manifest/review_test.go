package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/manifest"
)

// Go's decoder keeps the last of two equal keys and matches struct fields
// case-insensitively, so a document with a duplicated (or case-folded) key
// means one thing to this package and another to a first-wins or
// case-sensitive reader. Every strict parser must refuse it.
func TestReviewDuplicateKeysRejected(t *testing.T) {
	const sha = "sha256:" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	cases := []struct {
		name  string
		parse func([]byte) error
		doc   string
	}{
		{"manifest exact", func(b []byte) error { _, err := manifest.ParseManifest(b); return err },
			`{"name":"good","name":"evil","repos":[],"version":1}`},
		{"manifest folded", func(b []byte) error { _, err := manifest.ParseManifest(b); return err },
			`{"NAME":"evil","name":"good","repos":[],"version":1}`},
		{"manifest kelvin fold", func(b []byte) error { _, err := manifest.ParseManifest(b); return err },
			`{"name":"good","repos":[{"artifacts":[],"name":"a","tag":"v1","\u212aag":"x"}],"version":1}`},
		{"manifest nested", func(b []byte) error { _, err := manifest.ParseManifest(b); return err },
			`{"name":"n","repos":[{"artifacts":[{"digest":"` + sha + `","Digest":"` + sha + `","name":"a"}],"name":"r","tag":"v1"}],"version":1}`},
		{"entry exact", func(b []byte) error { _, err := manifest.ParseEntry(b); return err },
			`{"kind":"note","note":"original","note":"forged","prev":"","seq":1}`},
		{"entry folded", func(b []byte) error { _, err := manifest.ParseEntry(b); return err },
			`{"kind":"note","note":"original","prev":"","seq":1,"Seq":2}`},
		{"record folded", func(b []byte) error { _, err := manifest.ParseRecord(b); return err },
			`{"tag":"v1","TAG":"v2","version":1}`},
		{"record extra exact", func(b []byte) error { _, err := manifest.ParseRecord(b); return err },
			`{"extra":{"k":"1","k":"2"},"tag":"v1","version":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.parse([]byte(c.doc)); err == nil {
				t.Fatalf("accepted a document with a duplicate key: %s", c.doc)
			}
		})
	}
}

// Extras are a free-form map: keys differing only in case are distinct keys
// (the decoder does not fold map keys), and a record that MarshalRecord
// writes must parse again.
func TestReviewExtrasCaseDistinctKeysRoundTrip(t *testing.T) {
	doc := `{"extra":{"K":"1","k":"2"},"tag":"v1","version":1}`
	r, err := manifest.ParseRecord([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if r.Extra["K"] != "1" || r.Extra["k"] != "2" {
		t.Fatalf("extras = %v", r.Extra)
	}
}

func TestReviewDuplicateKeyErrorWraps(t *testing.T) {
	_, err := manifest.ParseManifest([]byte(`{"name":"a","name":"b","repos":[],"version":1}`))
	if !errors.Is(err, manifest.ErrInvalidManifest) || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("err = %v", err)
	}
}

// A record file copied under another release's name (records/v2.json holding
// the record of v1) must not stand in for v2: Promote would verify v1's tag
// signature while logging a promotion of "v2".
func TestReviewRecordUnderWrongName(t *testing.T) {
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	rec := exampleRecord("v1.0.0", "app-1")
	if err := st.PutRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "records", "v1.0.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "records", "v2.0.0.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Record(ctx, "v2.0.0"); err == nil {
		t.Error("DirStore.Record returned the record of v1.0.0 for v2.0.0")
	}
	tags := &listTags{signed: []string{"v1.0.0"}}
	// A store that returns whatever it holds, as another Store might.
	loose := looseStore{st, rec}
	if _, err := manifest.Promote(ctx, loose, manifest.Request{
		Release: "v2.0.0", Env: "dev", Digest: rec.Artifacts[0].Digest,
	}, manifest.WithTagVerifier(tags), manifest.WithClock(clock())); err == nil {
		t.Errorf("promoted v2.0.0 on the record of v1.0.0 (tag verified: %v)", tags.verified)
	}
}

type looseStore struct {
	*manifest.DirStore
	rec manifest.Record
}

func (l looseStore) Record(context.Context, string) (manifest.Record, error) { return l.rec, nil }

// PutRecord refuses to change a published artifact's digest; doing it in two
// writes (drop the artifact, then add it back with another digest) must be
// refused too, or a rebuild is republished under the same version.
func TestReviewRepublishInTwoSteps(t *testing.T) {
	ctx := t.Context()
	st, err := manifest.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rec := exampleRecord("v1.0.0", "build-1")
	if err := st.PutRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	dropped := rec
	dropped.Artifacts = []manifest.Artifact{{Name: "other", Digest: manifest.Digest([]byte("other"))}}
	errDrop := st.PutRecord(ctx, dropped)
	rebuilt := rec
	rebuilt.Artifacts = []manifest.Artifact{{Name: "app", Digest: manifest.Digest([]byte("build-2"))}}
	errRebuild := st.PutRecord(ctx, rebuilt)
	if !errors.Is(errDrop, manifest.ErrRepublish) && !errors.Is(errRebuild, manifest.ErrRepublish) {
		got, _ := st.Record(ctx, "v1.0.0")
		t.Fatalf("artifact app republished with another digest: %v", got.Artifacts)
	}
}

// A GitStore's ref reset to an older commit is a consistent, shorter log:
// it verifies on its own, and fails against the later checkpoint.
func TestReviewGitStoreRefRewound(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	st, err := manifest.NewGitStore(repo)
	if err != nil {
		t.Fatal(err)
	}
	var old *plumbing.Reference
	for i := range 3 {
		if _, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if old, err = repo.Reference(manifest.LogRef, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := manifest.NewCheckpoint(entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(old); err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.VerifyStore(ctx, st, nil); err != nil {
		t.Fatalf("rewound log without checkpoint: %v", err)
	}
	if _, err := manifest.VerifyStore(ctx, st, &cp); !errors.Is(err, manifest.ErrTruncated) {
		t.Fatalf("rewound log against checkpoint: err = %v, want ErrTruncated", err)
	}
}

func TestReviewDirStoreNamesStayInside(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	dir := filepath.Join(root, "store")
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"", ".", "..", "../escape", "a/../../escape", "a\\b", "a\x00b", "/abs", ".hidden", "v1\xff", strings.Repeat("v", 300)} {
		r := exampleRecord(tag, "x")
		if err := st.PutRecord(ctx, r); !errors.Is(err, manifest.ErrInvalidName) {
			t.Errorf("PutRecord(%q) = %v, want ErrInvalidName", tag, err)
		}
		if _, err := st.Record(ctx, tag); !errors.Is(err, manifest.ErrInvalidName) {
			t.Errorf("Record(%q) = %v, want ErrInvalidName", tag, err)
		}
	}
	if des, _ := os.ReadDir(root); len(des) != 1 {
		t.Errorf("files written outside the store: %v", des)
	}
}

// json.Marshal replaces invalid UTF-8 with U+FFFD, so two different
// manifests would share one canonical form, digest and signature.
func TestReviewManifestInvalidUTF8(t *testing.T) {
	a := manifest.Manifest{Version: manifest.ManifestVersion, Name: "rel\xff", Repos: []manifest.Repo{}}
	b := manifest.Manifest{Version: manifest.ManifestVersion, Name: "rel\ufffd", Repos: []manifest.Repo{}}
	da, errA := a.Digest()
	db, _ := b.Digest()
	if errA == nil && da == db {
		t.Fatalf("manifests %q and %q share digest %s", a.Name, b.Name, da)
	}
	if errA != nil && !errors.Is(errA, manifest.ErrInvalidManifest) {
		t.Fatalf("err = %v, want ErrInvalidManifest", errA)
	}
	tagged := manifest.Manifest{Version: manifest.ManifestVersion, Name: "n", Repos: []manifest.Repo{{Name: "r", Tag: "v1\xc0", Artifacts: []manifest.Artifact{}}}}
	if _, err := manifest.Marshal(tagged); err == nil {
		t.Error("Marshal accepted a tag that is not UTF-8")
	}
}
