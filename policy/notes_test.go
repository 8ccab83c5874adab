package policy_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// notesDoc is release notes of tag with the given sections, each with a
// line of text.
func notesDoc(tag string, sections ...string) []byte {
	var b strings.Builder
	b.WriteString("# Release " + tag + "\n\n")
	for _, s := range sections {
		b.WriteString("## " + s + "\n\nNone.\n\n")
	}
	return []byte(b.String())
}

func TestReleaseNotes(t *testing.T) {
	rec := &manifest.Record{Tag: "v1.2.0"}
	all := policy.ReleaseNotesSections()
	without := func(drop ...string) []string {
		var out []string
		for _, s := range all {
			keep := true
			for _, d := range drop {
				keep = keep && s != d
			}
			if keep {
				out = append(out, s)
			}
		}
		return out
	}
	fenced := append(notesDoc("v1.2.0", without("Rollback plan")...), []byte("```\n## Rollback plan\nredeploy\n```\n")...)
	emptySection := []byte(strings.Replace(string(notesDoc("v1.2.0", all...)), "## Known issues\n\nNone.\n", "## Known issues\n\n", 1))
	tests := []struct {
		name    string
		facts   policy.Facts
		ctl     policy.ReleaseNotes
		want    policy.Status
		missing bool     // fails with ErrMissingEvidence
		reason  []string // substrings of the reason
	}{
		{name: "every section", facts: policy.Facts{Record: rec, ReleaseNotes: notesDoc("v1.2.0", all...)}, want: policy.Pass, reason: []string{"all 13"}},
		{name: "headings any case, closing hashes", facts: policy.Facts{Record: rec, ReleaseNotes: []byte(strings.ReplaceAll(strings.ToUpper(string(notesDoc("v1.2.0", all...))), "\n\nNONE.", " ##\n\nNONE."))[len("# RELEASE V1.2.0"):]},
			want: policy.Pass},
		{name: "tag only", facts: policy.Facts{Tag: &policy.Tag{Name: "v1.2.0"}, ReleaseNotes: notesDoc("v1.2.0", all...)}, want: policy.Pass},
		{name: "sections missing", facts: policy.Facts{Record: rec, ReleaseNotes: notesDoc("v1.2.0", without("Summary", "Operational notes", "Rollback plan")...)},
			want: policy.Fail, reason: []string{"3 required section(s): Summary, Operational notes, Rollback plan"}},
		{name: "changelog only", facts: policy.Facts{Record: rec, ReleaseNotes: []byte("# v1.2.0\n\n### Features\n\n* x\n")}, want: policy.Fail, reason: []string{"13 required"}},
		{name: "heading in a code block is text", facts: policy.Facts{Record: rec, ReleaseNotes: fenced}, want: policy.Fail, reason: []string{": Rollback plan;"}},
		{name: "empty section", facts: policy.Facts{Record: rec, ReleaseNotes: emptySection}, want: policy.Fail, reason: []string{": Known issues;"}},
		{name: "notes of another release", facts: policy.Facts{Record: rec, ReleaseNotes: notesDoc("v1.1.0", all...)}, want: policy.Fail, reason: []string{"not notes of v1.2.0"}},
		{name: "no notes", facts: policy.Facts{Record: rec}, want: policy.Fail, missing: true, reason: []string{"release notes of v1.2.0"}},
		{name: "blank notes", facts: policy.Facts{Record: rec, ReleaseNotes: []byte(" \n")}, want: policy.Fail, missing: true},
		{name: "configured sections", ctl: policy.ReleaseNotes{Sections: []string{"Summary", "Upgrade guide"}},
			facts: policy.Facts{Record: rec, ReleaseNotes: notesDoc("v1.2.0", all...)}, want: policy.Fail, reason: []string{"1 required section(s): Upgrade guide"}},
		{name: "no release", facts: policy.Facts{}, want: policy.NotApplicable, reason: []string{"no release evaluated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.ctl.Evaluate(t.Context(), tc.facts)
			assert.Equal(t, tc.want, res.Status, res.Reason)
			assert.Equal(t, tc.missing, errors.Is(res.Err, policy.ErrMissingEvidence), "missing evidence")
			for _, r := range tc.reason {
				assert.Contains(t, res.Reason, r)
			}
			if tc.want == policy.Fail && !tc.missing && !strings.Contains(tc.name, "another") {
				require.NotEmpty(t, res.Evidence)
			}
		})
	}
}

func TestReadConfigReleaseNotes(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-NOTES-001: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.ReleaseNotes{}}, p.Controls)
	p, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-NOTES-001: {sections: [Summary, Upgrade guide]}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.ReleaseNotes{Sections: []string{"Summary", "Upgrade guide"}}}, p.Controls)
	for name, tc := range map[string]struct {
		doc  string
		line int
	}{
		"empty list":    {"controls:\n  REL-NOTES-001:\n    sections: []\n", 3},
		"blank heading": {"controls:\n  REL-NOTES-001:\n    sections:\n      - Summary\n      - \"  \"\n", 5},
		"unknown key":   {"controls:\n  REL-NOTES-001:\n    section: [Summary]\n", 3},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.ReadConfig(strings.NewReader(tc.doc))
			var ce *policy.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.line, ce.Line, "%v", err)
		})
	}
}

// TestReleaseNotesNotRecorded: notes generated with nothing recorded for a
// section §1.20.3.2 says they MUST include ("Not recorded.", "not
// provided") lack that section; "None." records that there is none.
func TestReleaseNotesNotRecorded(t *testing.T) {
	rec := &manifest.Record{Tag: "v1.0.0"}
	gen := func(m changelog.Metadata) []byte {
		var b bytes.Buffer
		require.NoError(t, changelog.WriteReleaseNotes(&b, changelog.Notes{}, m))
		return b.Bytes()
	}
	res := policy.ReleaseNotes{}.Evaluate(t.Context(), policy.Facts{Record: rec, ReleaseNotes: gen(changelog.Metadata{Tag: "v1.0.0"})})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "4 required section(s): Operational notes (not recorded), Known issues (not recorded), Artifacts (not recorded), Rollback plan (not recorded);")

	explicit := changelog.Metadata{Tag: "v1.0.0", OperationalNotes: []string{}, FeatureFlags: []string{}, KnownIssues: []string{},
		Artifacts: []changelog.Artifact{{Name: "app", Digest: "sha256:" + strings.Repeat("a", 64)}},
		Rollback:  changelog.Rollback{Method: "redeploy", Version: "v0.9.0", Digest: "sha256:" + strings.Repeat("b", 64)}}
	res = policy.ReleaseNotes{}.Evaluate(t.Context(), policy.Facts{Record: rec, ReleaseNotes: gen(explicit)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	// Written by hand: "None." passes, a placeholder alone does not.
	doc := strings.Replace(string(notesDoc("v1.0.0", policy.ReleaseNotesSections()...)), "## Fixes\n\nNone.\n", "## Fixes\n\n- Bug fixes: not provided\n- Security fixes: Not recorded.\n", 1)
	res = policy.ReleaseNotes{}.Evaluate(t.Context(), policy.Facts{Record: rec, ReleaseNotes: []byte(doc)})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, ": Fixes (not recorded);")
}

// TestReleaseNotesHTMLComment: headings and text inside HTML comments are
// not rendered, so they count for nothing.
func TestReleaseNotesHTMLComment(t *testing.T) {
	rec := &manifest.Record{Tag: "v1.0.0"}
	var b strings.Builder
	b.WriteString("# v1.0.0\n\n<!--\n")
	for _, s := range policy.ReleaseNotesSections() {
		b.WriteString("## " + s + "\n\nTODO\n\n")
	}
	b.WriteString("-->\n")
	res := policy.ReleaseNotes{}.Evaluate(t.Context(), policy.Facts{Record: rec, ReleaseNotes: []byte(b.String())})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "13 required section(s)")

	all := string(notesDoc("v1.0.0", policy.ReleaseNotesSections()...))
	for name, tc := range map[string]struct {
		doc    string
		want   policy.Status
		reason string
	}{
		"body only a comment":     {strings.Replace(all, "## Known issues\n\nNone.\n", "## Known issues\n\n<!-- None. -->\n", 1), policy.Fail, ": Known issues;"},
		"comment over lines":      {strings.Replace(all, "## Known issues\n\nNone.\n", "## Known issues\n\n<!-- TODO\nlist them\n-->\n", 1), policy.Fail, ": Known issues;"},
		"text after a comment":    {strings.Replace(all, "## Known issues\n\nNone.\n", "## Known issues\n\n<!-- TODO --> None.\n", 1), policy.Pass, ""},
		"heading with a comment":  {strings.Replace(all, "## Known issues\n", "## Known issues <!-- keep -->\n", 1), policy.Pass, ""},
		"comment in a code block": {strings.Replace(all, "## Known issues\n\nNone.\n", "## Known issues\n\n```\n<!--\n```\n", 1), policy.Pass, ""},
		"unterminated comment":    {strings.Replace(all, "## Artifacts\n", "<!--\n## Artifacts\n", 1), policy.Fail, "Artifacts, SBOM and provenance"},
	} {
		t.Run(name, func(t *testing.T) {
			res := policy.ReleaseNotes{}.Evaluate(t.Context(), policy.Facts{Record: rec, ReleaseNotes: []byte(tc.doc)})
			assert.Equal(t, tc.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tc.reason)
		})
	}
}
