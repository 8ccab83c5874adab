package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
)

// TestAppendLogLineMatchesEncodingJSON pins the hand-written encoder to the
// document encoding/json writes for logLine.
func TestAppendLogLineMatchesEncodingJSON(t *testing.T) {
	msgs := []string{
		"feat(api)!: drop v1 (#42)\n\nBody \"quoted\" \\ back\tslash.\n\nBREAKING CHANGE: v1 is gone\nRefs: PROJ-12\nCo-authored-by: A <a@x>",
		"Merge pull request #7 from user/branch\n\nfeat: x",
		"Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
		"not conventional \x01 \u2028 \u2029 <html> & done",
		"fix: invalid \xff utf8",
		"feat: squash\n\n* fix: one\n* feat(ui): two\n\nRelease-As: 2.0.0",
		"fixup! feat: x",
		"",
	}
	when := time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("", 3600))
	for _, msg := range msgs {
		m, _ := commits.Parse(msg)
		c := commits.Commit{Hash: "0123456789abcdef0123456789abcdef01234567", Author: commits.Signature{Name: "A \"B\"", Email: "a@example.com", When: when}, Committer: commits.Signature{Name: "C", Email: "c@example.com", When: when}, Message: m}
		if msg != "" {
			c.Parents = []string{"89abcdef0123456789abcdef0123456789abcdef"}
		}
		line := logLine{Hash: c.Hash, Parents: c.Parents, Author: c.Author, Committer: c.Committer, parseResult: toParseResult(c.Message)}
		if line.Parents == nil {
			line.Parents = []string{}
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(line))
		got := appendLogLine(nil, c)
		require.True(t, json.Valid(got), "%q", got)
		assert.Equal(t, want.String(), string(got), "byte-identical for %q", msg)
	}
}
