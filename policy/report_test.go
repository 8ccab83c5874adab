package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

// sampleReport has one result of each status.
func sampleReport() policy.Report {
	e := validException()
	e.Controls = []string{"REL-SOD-001"}
	p := policy.Policy{Controls: []policy.Control{policy.PinnedPipelines{}, policy.SeparationOfDuties{}, policy.HotfixFromTag{}, policy.LinearHistory{}},
		Exceptions: []policy.Exception{e}}
	f := policy.Facts{Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		Files:       map[string][]byte{".github/workflows/ci.yml": []byte("steps:\n  - uses: actions/checkout@v4\n")},
		PullRequest: &policy.PullRequest{Number: 3, Author: "alice", Approvers: []string{"alice"}, MergeMethod: "squash"},
		Commits:     logRangeEmpty()}
	return policy.Evaluate(context.Background(), p, f)
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().WriteText(&b))
	want := `FAIL           REL-PIPE-001 Pipeline definitions use immutable references (§1.31.3.2)
    1 workflow reference(s) are not pinned to a commit: .github/workflows/ci.yml:2 (actions/checkout@v4); replace the tag or branch with its 40-hex commit (keep the tag in a comment)
    - file .github/workflows/ci.yml:2: actions/checkout@v4
WAIVED         REL-SOD-001 Changes are approved by someone other than the author (§1.21.3.2)
    waived by exception EXC-7 (owner Engineering Manager, expires 2026-03-01): pull request #3 by alice has no approver other than its author; get a review from another maintainer
    - field alice: author
    - field alice: approver
NOT-APPLICABLE REL-HOTFIX-001 Hotfix branch is cut from the production tag (§1.26, §2.8.3.1)
    no hotfix branch
PASS           REL-HISTORY-001 Main has linear history (squash merges) (§1.11.3)
    0 commit(s), no merge commit
4 controls: 1 pass, 1 fail, 1 waived, 1 not applicable
result: DENY
`
	assert.Equal(t, want, b.String())
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().WriteJSON(&b))
	var got struct {
		Allowed bool
		Error   string
		Results []struct {
			Control  policy.Meta
			Status   policy.Status
			Reason   string
			Evidence []policy.Evidence
			Waiver   *policy.Exception
		}
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.False(t, got.Allowed)
	assert.Contains(t, got.Error, "REL-PIPE-001")
	require.Len(t, got.Results, 4)
	assert.Equal(t, policy.Waived, got.Results[1].Status)
	assert.Equal(t, "EXC-7", got.Results[1].Waiver.ID)
	assert.Equal(t, []string{"CC8.1", "CC9.2"}, got.Results[0].Control.Criteria)
	assert.Equal(t, ".github/workflows/ci.yml:2", got.Results[0].Evidence[0].Value)
}

func TestWriteSARIF(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().WriteSARIF(&b, ".github/release-policy.yml"))
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine int }
					}
				}
				Suppressions []struct{ Kind string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &log))
	assert.Equal(t, "2.1.0", log.Version)
	assert.Equal(t, policy.SARIFSchema, log.Schema)
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	assert.Equal(t, "releasekit-policy", run.Tool.Driver.Name)
	require.Len(t, run.Tool.Driver.Rules, 4)
	ids := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		ids[r.ID] = true
	}
	require.Len(t, run.Results, 4)
	for _, r := range run.Results {
		assert.True(t, ids[r.RuleID], "result rule %s has a rule", r.RuleID)
		assert.Contains(t, []string{"error", "warning", "note", "none"}, r.Level)
		assert.NotEmpty(t, r.Message.Text)
		require.NotEmpty(t, r.Locations)
		assert.NotEmpty(t, r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	assert.Equal(t, "error", run.Results[0].Level)
	assert.Equal(t, ".github/workflows/ci.yml", run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, 2, run.Results[0].Locations[0].PhysicalLocation.Region.StartLine)
	assert.Equal(t, "external", run.Results[1].Suppressions[0].Kind)
	assert.Equal(t, ".github/release-policy.yml", run.Results[2].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, "none", run.Results[3].Level)
}

func TestWriteJUnit(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().WriteJUnit(&b))
	require.True(t, strings.HasPrefix(b.String(), "<?xml"))
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, 4, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 2, doc.Skipped)
	cases := doc.Suites[0].Cases
	require.Len(t, cases, 4)
	assert.Equal(t, "REL-PIPE-001: Pipeline definitions use immutable references", cases[0].Name)
	require.NotNil(t, cases[0].Failure)
	assert.Contains(t, cases[0].Failure.Message, "actions/checkout@v4")
	assert.Contains(t, cases[0].SystemOut, "file .github/workflows/ci.yml:2")
	require.NotNil(t, cases[1].Skipped)
	assert.Contains(t, cases[1].Skipped.Message, "waived: waived by exception EXC-7")
	assert.Nil(t, cases[3].Failure)
	assert.Nil(t, cases[3].Skipped)
}

func hostileReport() policy.Report {
	long := strings.Repeat("A\x00\x1b[31m", 20000)
	bad := "bad \xff\xfe utf8 \x01\x02\x7f \u2028 \r\nPASS           REL-FAKE-001 forged\n"
	return policy.Report{Results: []policy.Result{
		{Control: policy.Meta{ID: "REL-X-001", Title: "t" + bad, Section: "§1", Severity: policy.High}, Status: policy.Fail,
			Reason:   "denied\nPASS           REL-TAG-001 forged (§1)\n    ok\n1 controls: 1 pass, 0 fail, 0 waived, 0 not applicable\nresult: ALLOW" + bad + long,
			Evidence: []policy.Evidence{{Kind: "file", Value: "dir/%zz[\x01\xff\\:3", Note: bad}, {Kind: "file", Value: "dir/a b%zz\x01\xff:3", Note: bad}, {Kind: "file", Value: "x\n- file y" + bad, Note: "n\nresult: ALLOW"}, {Kind: "commit", Value: bad, Note: long}}},
	}}
}

// Evidence and reasons cannot forge result lines in the text report.
func TestWriteTextNoForgedLines(t *testing.T) {
	var b strings.Builder
	require.NoError(t, hostileReport().WriteText(&b))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	assert.Equal(t, "result: DENY", lines[len(lines)-1])
	for _, l := range lines {
		assert.NotContains(t, l, "\r")
		assert.False(t, strings.HasPrefix(l, "PASS"), "forged line %q", l)
		assert.NotEqual(t, "result: ALLOW", l)
		if i := strings.IndexFunc(l, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f || r == '\u2028' || r == utf8.RuneError }); i >= 0 {
			t.Errorf("control character or invalid UTF-8 in text output at %d of %.80q", i, l)
		}
	}
	assert.Equal(t, "1 controls: 0 pass, 1 fail, 0 waived, 0 not applicable", lines[len(lines)-2])
	assert.Len(t, lines, 1+1+4+2, "one header, one reason, four evidence lines, summary and result")
}

// JUnit stays well-formed XML and parses back.
func TestWriteJUnitHostile(t *testing.T) {
	var b strings.Builder
	require.NoError(t, hostileReport().WriteJUnit(&b))
	d := xml.NewDecoder(strings.NewReader(b.String()))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
}
