package manifest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

func digestOf(s string) string { return manifest.Digest([]byte(s)) }

func completeRecord(tag, artifact string) manifest.Record {
	return manifest.Record{
		Version:     manifest.RecordVersion,
		Tag:         tag,
		Commit:      strings.Repeat("a", 40),
		Tickets:     []string{"CHG-1"},
		PRs:         []manifest.PR{{Ref: "#1"}, {Ref: "#2", OriginalPR: "#1", OriginalSHA: strings.Repeat("b", 40)}},
		Artifacts:   []manifest.Artifact{{Name: "app", URI: "registry.example.com/app", Digest: digestOf(artifact)}},
		Provenance:  manifest.Provenance{BuildID: "run-1", Ref: "https://ci.example.com/att/1"},
		SBOM:        manifest.SBOMRef{Ref: "sbom.json", Digest: digestOf("sbom")},
		Checks:      []manifest.CheckResult{{Name: "test", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy previous digest", Version: "none"},
		KnownIssues: []string{},
		Window: manifest.Window{
			Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
			End:   time.Date(2026, 1, 5, 11, 0, 0, 0, time.UTC),
		},
	}
}

func TestRecordRoundTrip(t *testing.T) {
	r := completeRecord("v1.2.3", "app")
	b, err := manifest.MarshalRecord(r)
	require.NoError(t, err)
	got, err := manifest.ParseRecord(b)
	require.NoError(t, err)
	b2, err := manifest.MarshalRecord(got)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))
	assert.NoError(t, manifest.Check(got).Err())
}

func TestParseRecordStrict(t *testing.T) {
	good, err := manifest.MarshalRecord(completeRecord("v1.2.3", "app"))
	require.NoError(t, err)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"unknown field", strings.Replace(string(good), `{`, `{"bogus":1,`, 1), manifest.ErrInvalidRecord},
		{"trailing data", string(good) + "{}", manifest.ErrInvalidRecord},
		{"version", strings.Replace(string(good), `"version":1`, `"version":2`, 1), &manifest.FormatError{Reason: "unsupported format version"}},
		{"uppercase digest", strings.Replace(string(good), digestOf("app"), strings.ToUpper(digestOf("app")), 1), manifest.ErrInvalidDigest},
		{"short digest", strings.Replace(string(good), digestOf("app"), "sha256:abc", 1), manifest.ErrInvalidDigest},
		{"sbom digest", strings.Replace(string(good), digestOf("sbom"), "md5:00", 1), manifest.ErrInvalidDigest},
		{"duplicate artifact", strings.Replace(string(good), `"artifacts":[`, `"artifacts":[{"name":"APP","digest":"`+digestOf("x")+`"},`, 1), &manifest.FormatError{Reason: "duplicate artifact name"}},
		{"not json", "nope", manifest.ErrInvalidRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := manifest.ParseRecord([]byte(tt.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.ErrorIs(t, err, manifest.ErrInvalidRecord)
		})
	}
}

func TestCheckReportsEveryProblem(t *testing.T) {
	rep := manifest.Check(manifest.Record{})
	err := rep.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, &manifest.FormatError{Reason: "release record incomplete"})
	var fields []string
	for _, p := range rep.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{
		"version", "tag", "commit", "tickets", "prs", "artifacts",
		"provenance.build_id", "provenance.ref", "sbom.ref", "sbom.digest",
		"checks", "rollback.method", "rollback.version", "known_issues", "production_window",
	}, fields)

	r := completeRecord("v1.2", "app")
	r.Commit = "ABC"
	r.Artifacts = append(r.Artifacts, manifest.Artifact{Name: "App", Digest: "sha256:xyz"})
	r.Checks[0].Passed = false
	r.Checks = append(r.Checks, manifest.CheckResult{Name: "sast", Passed: true, Kind: "sast", Commit: "abc", Findings: &manifest.Findings{High: -1}})
	r.Window.End = r.Window.Start
	rep = manifest.Check(r)
	fields = nil
	for _, p := range rep.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"tag", "commit", "artifacts[1].name", "artifacts[1].digest", "checks[0].passed", "checks[1].commit", "checks[1].findings", "production_window"}, fields)
	assert.True(t, errors.Is(rep.Err(), &manifest.FormatError{Reason: "release record incomplete"}))
}

// TestCheckResultScanFields: a check's kind, commit and findings round-trip,
// and a record without them keeps its JSON form.
func TestCheckResultScanFields(t *testing.T) {
	r := completeRecord("v1.2.0", "app")
	old, err := manifest.MarshalRecord(r)
	require.NoError(t, err)
	assert.NotContains(t, string(old), `"kind"`)
	assert.NotContains(t, string(old), `"findings"`)
	r.Checks = append(r.Checks, manifest.CheckResult{Name: "semgrep", Passed: true, Kind: "sast", Commit: r.Commit, Findings: &manifest.Findings{Critical: 1, Low: 3}})
	b, err := manifest.MarshalRecord(r)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"findings":{"critical":1,"low":3}`)
	back, err := manifest.ParseRecord(b)
	require.NoError(t, err)
	assert.Equal(t, r.Checks, back.Checks)
	assert.Empty(t, manifest.Check(back).Problems)
}

func TestWithArtifact(t *testing.T) {
	r := completeRecord("v1.0.0", "app")
	r2, err := r.WithArtifact(manifest.Artifact{Name: "cli", Digest: digestOf("cli")})
	require.NoError(t, err)
	assert.Len(t, r2.Artifacts, 2)
	assert.Len(t, r.Artifacts, 1, "receiver unchanged")
	_, err = r.WithArtifact(manifest.Artifact{Name: "cli", Digest: "sha256:00"})
	assert.ErrorIs(t, err, manifest.ErrInvalidDigest)
	r3, err := r2.WithArtifact(manifest.Artifact{Name: "CLI", Digest: digestOf("cli2")})
	require.NoError(t, err)
	assert.Len(t, r3.Artifacts, 2)
	assert.True(t, r3.HasDigest(digestOf("cli2")))
}

func FuzzParseRecord(f *testing.F) {
	good, _ := manifest.MarshalRecord(completeRecord("v1.2.3", "app"))
	f.Add(good)
	f.Add([]byte(`{"version":1,"tag":"v1.0.0"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":1,"artifacts":[{"name":"a","digest":"sha256:00"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := manifest.ParseRecord(data)
		if err != nil {
			return
		}
		_ = manifest.Check(r)
		b, err := manifest.MarshalRecord(r)
		if err != nil {
			return // e.g. a time outside years 0-9999
		}
		r2, err := manifest.ParseRecord(b)
		if err != nil {
			t.Fatalf("reparse %s: %v", b, err)
		}
		b2, err := manifest.MarshalRecord(r2)
		if err != nil || string(b) != string(b2) {
			t.Fatalf("not stable:\n%s\n%s", b, b2)
		}
	})
}

// Go's decoder keeps the last of two equal keys and matches struct fields
// case-insensitively, so a document with a duplicated (or case-folded) key
// means one thing to this package and another to a first-wins or
// case-sensitive reader. Every strict parser must refuse it.
func TestParseDuplicateKeys(t *testing.T) {
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
func TestExtrasCaseDistinctKeysRoundTrip(t *testing.T) {
	doc := `{"extra":{"K":"1","k":"2"},"tag":"v1","version":1}`
	r, err := manifest.ParseRecord([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if r.Extra["K"] != "1" || r.Extra["k"] != "2" {
		t.Fatalf("extras = %v", r.Extra)
	}
}

func TestDuplicateKeyErrorWraps(t *testing.T) {
	_, err := manifest.ParseManifest([]byte(`{"name":"a","name":"b","repos":[],"version":1}`))
	if !errors.Is(err, manifest.ErrInvalidManifest) || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("err = %v", err)
	}
}
