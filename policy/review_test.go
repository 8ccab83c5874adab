package policy_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

type reviewControl struct {
	id string
	fn func(ctx context.Context) policy.Result
}

func (c reviewControl) Meta() policy.Meta { return policy.Meta{ID: c.id, Title: "review"} }
func (c reviewControl) Evaluate(ctx context.Context, _ policy.Facts) policy.Result {
	return c.fn(ctx)
}

func reviewException(controls ...string) policy.Exception {
	return policy.Exception{ID: "EX-1", Owner: "o", Type: "temporary", Policy: "p", Controls: controls, Scope: "s", Risk: "r",
		Compensating: "c", Requester: "alice", Approvers: []string{"bob"}, Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Rollback: "rb", Evidence: []string{"https://x"}}
}

// An exception waives a failed control, never an evaluator that could not
// decide (a panic, an error, a cancelled evaluation).
func TestReviewExceptionDoesNotWaiveControlError(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for name, fn := range map[string]func(context.Context) policy.Result{
		"panic": func(context.Context) policy.Result { panic("boom") },
		"error": func(context.Context) policy.Result {
			return policy.Result{Status: policy.Pass, Err: errors.New("backend down")}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := policy.Policy{Controls: []policy.Control{reviewControl{id: "X-1", fn: fn}}, Exceptions: []policy.Exception{reviewException("X-1")}}
			rep := policy.Evaluate(context.Background(), p, policy.Facts{Now: now})
			require.Len(t, rep.Results, 1)
			assert.Equal(t, policy.Fail, rep.Results[0].Status)
			assert.ErrorIs(t, rep.Err(), policy.ErrFailed)
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ok := reviewControl{id: "X-1", fn: func(context.Context) policy.Result { return policy.Result{Status: policy.Pass} }}
		p := policy.Policy{Controls: []policy.Control{ok}, Exceptions: []policy.Exception{reviewException("X-1")}}
		rep := policy.Evaluate(ctx, p, policy.Facts{Now: now})
		assert.Equal(t, policy.Fail, rep.Results[0].Status)
	})
}

// A context cancelled while a control runs denies even when the control,
// having stopped early, reports a pass.
func TestReviewCancelledMidEvaluation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := reviewControl{id: "X-1", fn: func(ctx context.Context) policy.Result {
		cancel()
		return policy.Result{Status: policy.Pass, Reason: "nothing checked"}
	}}
	rep := policy.Evaluate(ctx, policy.Policy{Controls: []policy.Control{c}}, policy.Facts{})
	assert.Equal(t, policy.Fail, rep.Results[0].Status)
	assert.ErrorIs(t, rep.Err(), policy.ErrFailed)
}

// A blank approver is no approver: separation of duties needs a real
// second person.
func TestReviewExceptionBlankApprover(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, a := range []string{" ", "\t", " alice", "ALICE "} {
		e := reviewException("X-1")
		e.Approvers = []string{a}
		assert.NotEmpty(t, e.Problems(now), "approver %q", a)
	}
	e := reviewException("X-1")
	assert.Empty(t, e.Problems(now))
	e.Expires = now
	assert.NotEmpty(t, e.Problems(now), "expires exactly at the evaluation instant")
}

// A gate bound to an approved record refuses a manifest promotion and vice
// versa: the decision holds only for what was approved.
func TestReviewGateBindingKindMismatch(t *testing.T) {
	ctx := context.Background()
	approved := completeRecord(t, "v1.4.2")
	f := gateFacts()
	f.Record = &approved
	g := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.SameDigest{}}}, Facts: f}
	m := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.03", Repos: []manifest.Repo{{
		Name: "app", Tag: "v1.4.2", Commit: strings.Repeat("1", 40),
		Artifacts: []manifest.Artifact{{Name: "app", Digest: build2}},
	}}}
	md, err := m.Digest()
	require.NoError(t, err)
	_, err = g.Allow(ctx, manifest.GateInput{Manifest: &m, Promotion: manifest.Promotion{Release: "2026.03", Env: "dev", Digest: md}})
	assert.ErrorIs(t, err, policy.ErrNotBound, "record-bound gate allowed a manifest")

	f2 := gateFacts()
	f2.Manifest = &m
	g2 := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.SameDigest{}}}, Facts: f2}
	_, err = g2.Allow(ctx, manifest.GateInput{Record: approved, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "dev", Digest: build1}})
	assert.ErrorIs(t, err, policy.ErrNotBound, "manifest-bound gate allowed a record")
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
func TestReviewTextNoForgedLines(t *testing.T) {
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
func TestReviewJUnitHostile(t *testing.T) {
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

// PatchID agrees with `git patch-id --stable` on renames, mode changes,
// CRLF files and binary files, with and without rename detection.
func TestReviewPatchIDGitEdgeCases(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat: base ABC-1", map[string]string{"a.txt": "1\n2\n3\n4\n5\n6\n7\n8\n", "crlf.txt": "a\r\nb\r\n", "run.sh": "echo\n", "bin.dat": "\x00\x01"})
	var revs []string
	g.Git("mv", "a.txt", "b.txt")
	g.Git("commit", "-q", "-m", "fix: pure rename ABC-2")
	revs = append(revs, g.Head())
	g.Git("mv", "b.txt", "c.txt")
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "c.txt"), []byte("1\n2\n3\n4\n5\n6\n7\nEIGHT\n"), 0o644))
	g.Git("add", "-A")
	g.Git("commit", "-q", "-m", "fix: rename with change ABC-3")
	revs = append(revs, g.Head())
	g.Git("update-index", "--chmod=+x", "run.sh")
	g.Git("commit", "-q", "-m", "fix: mode only ABC-4")
	revs = append(revs, g.Head())
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "run.sh"), []byte("echo hi\n"), 0o644))
	g.Git("add", "-A")
	g.Git("update-index", "--chmod=-x", "run.sh")
	g.Git("commit", "-q", "-m", "fix: mode and content ABC-5")
	revs = append(revs, g.Head())
	revs = append(revs, g.CommitFiles("fix: crlf ABC-6", map[string]string{"crlf.txt": "a\r\nc \r\n"}))
	revs = append(revs, g.CommitFiles("fix: binary ABC-7", map[string]string{"bin.dat": "\x00\x02\x03"}))
	g.Git("mv", "bin.dat", "bin2.dat")
	g.Git("commit", "-q", "-m", "fix: binary rename ABC-8")
	revs = append(revs, g.Head())
	for _, rev := range revs {
		for _, args := range [][]string{{"show", rev}, {"show", "--format=", "-M", rev}, {"show", "--format=", "--no-renames", rev}, {"show", "--binary", "--format=", rev}} {
			show := g.Git(args...)
			cmd := exec.Command("git", "patch-id", "--stable")
			cmd.Dir, cmd.Env, cmd.Stdin = g.Dir, g.Env(), strings.NewReader(show)
			out, err := cmd.Output()
			require.NoError(t, err)
			want, _, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
			assert.Equal(t, want, policy.PatchID([]byte(show)), "%v: %s", args, show)
		}
	}
}

// Padding a name with white space does not make the author their own
// independent reviewer or production approver.
func TestReviewSeparationOfDutiesWhitespace(t *testing.T) {
	for name, f := range map[string]policy.Facts{
		"pr approver":       {PullRequest: &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{" alice", "  "}}},
		"blank author":      {PullRequest: &policy.PullRequest{Number: 1, Author: "  ", Approvers: []string{"bob"}}},
		"prod approver":     {PullRequest: &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"bob"}}, Deployment: &policy.Deployment{Environment: "production", Approvers: []string{"alice\t", " "}}},
		"releaser approves": {PullRequest: &policy.PullRequest{Number: 1, Author: "alice", Approvers: []string{"bob"}}, Deployment: &policy.Deployment{Environment: "production", Releaser: "rel", Approvers: []string{"REL ", "bob "}}},
	} {
		t.Run(name, func(t *testing.T) {
			res := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{policy.SeparationOfDuties{}}}, f).Results[0]
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
		})
	}
}

// Hostile configurations are rejected with the line they are on.
func TestReviewConfigRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"local zone":         "controls:\n  REL-WINDOW-001:\n    windows: [{days: [mon], start: \"09:00\", end: \"10:00\", zone: Local}]\n",
		"merge key":          "base: &b {patterns: ['.*']}\ncontrols:\n  REL-BRANCH-001:\n    <<: *b\n",
		"merge in exception": "controls: {REL-SOD-001: {}}\nexceptions:\n  - &e {id: E}\n  - <<: *e\n",
		"alias value":        "controls:\n  REL-TAG-001: {identities: &i [a]}\n  REL-BRANCH-001: {patterns: *i}\n",
		"json dup":           "{\"controls\": {\"REL-SOD-001\": {}, \"REL-SOD-001\": {}}}",
		"advisory string":    "controls: {REL-SOD-001: {}}\nadvisory: \"true\"\n",
		"advisory yes":       "controls: {REL-SOD-001: {}}\nadvisory: yes\n",
		"reason list":        "controls:\n  REL-WINDOW-001:\n    freezes: [{from: 2026-01-01, to: 2026-01-02, reason: [x]}]\n",
		"unknown id":         "controls:\n  REL-NOPE-001: {}\n",
		"params on noparams": "controls:\n  REL-SOD-001: {x: 1}\n",
		"scalar params":      "controls:\n  REL-SOD-001: yes\n",
		"empty controls":     "controls: {}\n",
		"null controls":      "controls:\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.ReadConfig(strings.NewReader(doc))
			require.Error(t, err)
			var ce *policy.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Positive(t, ce.Line, "%v", err)
		})
	}
}

// A freeze without an end (or ending before it starts) is a configuration
// error that denies, never a freeze that silently never applies.
func TestReviewOpenFreezeDenies(t *testing.T) {
	at := time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC) // a Monday
	win := []policy.Window{{Days: []time.Weekday{time.Monday}, Start: "09:00", End: "16:00"}}
	for name, fr := range map[string]policy.Freeze{
		"no end":   {From: at.Add(-time.Hour), Reason: "year end"},
		"reversed": {From: at.Add(-time.Hour), To: at.Add(-2 * time.Hour)},
	} {
		t.Run(name, func(t *testing.T) {
			c := policy.ChangeWindow{Windows: win, Freezes: []policy.Freeze{fr}}
			f := policy.Facts{Now: at, Deployment: &policy.Deployment{Environment: "production", At: at}}
			res := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f).Results[0]
			assert.Equal(t, policy.Fail, res.Status, res.Reason)
		})
	}
	// A freeze given in another zone is the same instant range.
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	c := policy.ChangeWindow{Windows: win, Freezes: []policy.Freeze{{From: at.In(tokyo), To: at.Add(time.Minute).In(tokyo)}}}
	f := policy.Facts{Now: at, Deployment: &policy.Deployment{Environment: "production", At: at}}
	assert.Equal(t, policy.Fail, policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f).Results[0].Status)
	f.Deployment.At = at.Add(time.Minute)
	assert.Equal(t, policy.Pass, policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{c}}, f).Results[0].Status)
}

// Duplicate JSON keys (exactly or by case, which encoding/json folds) are
// rejected, not resolved silently in favour of the last one.
func TestReviewJSONDuplicateKeys(t *testing.T) {
	for _, doc := range []string{
		`{"author": "alice", "approvers": ["bob"], "author": "mallory"}`,
		`{"author": "alice", "approvers": ["bob"], "Author": "bob"}`,
		`{"author": "alice", "approvers": ["bob"], "checks": {"ci": "failure", "ci": "success"}}`,
	} {
		_, err := policy.ReadPullRequest(strings.NewReader(doc))
		assert.Error(t, err, doc)
	}
	_, err := policy.ReadPullRequest(strings.NewReader(`{"author": "alice", "approvers": ["bob"], "checks": {"ci": "success", "CI": "success"}}`))
	assert.NoError(t, err, "distinct map keys that differ in case are distinct checks")
	d := "sha256:" + strings.Repeat("a", 64)
	_, err = policy.ReadPromotionRequest(strings.NewReader(`{"release": "v1.0.0", "env": "prod", "digest": "` + d + `", "env": "dev"}`))
	assert.Error(t, err)
	_, err = policy.ReadPromotionRequest(strings.NewReader(`{"release": "v1.0.0", "env": "prod", "digest": "` + d + `"}`))
	assert.NoError(t, err)
}

// A promotion request without a time is not evaluated at a time the gate
// was configured with long before: the deployment time is missing.
func TestReviewGateRequestWithoutTime(t *testing.T) {
	ctx := context.Background()
	rec := completeRecord(t, "v1.4.2")
	f := gateFacts()
	f.Now = time.Date(2026, 3, 2, 10, 0, 0, 0, berlin) // inside the window
	g := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{gatePolicy().Controls[0]}}, Facts: f}
	_, err := g.Allow(ctx, manifest.GateInput{Record: rec, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol"}})
	assert.ErrorIs(t, err, policy.ErrFailed)
	_, err = g.Allow(ctx, manifest.GateInput{Record: rec, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol", RequestedAt: f.Now}})
	assert.NoError(t, err)
}

// Windows are wall-clock hours in their zone across DST changes.
func TestReviewWindowDST(t *testing.T) {
	w := policy.ChangeWindow{Windows: []policy.Window{{Days: []time.Weekday{time.Sunday}, Start: "02:00", End: "03:00", Zone: "Europe/Berlin"}}}
	eval := func(at time.Time) policy.Status {
		f := policy.Facts{Now: at, Deployment: &policy.Deployment{Environment: "production", At: at}}
		return policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{w}}, f).Results[0].Status
	}
	// 2026-03-29: 02:00-03:00 CET does not exist (01:00 UTC is 03:00 CEST).
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)))
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC))) // 01:59 CET
	// 2026-10-25: 02:00-03:00 happens twice (00:00-01:00 and 01:00-02:00 UTC).
	assert.Equal(t, policy.Pass, eval(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)))
	assert.Equal(t, policy.Pass, eval(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)))
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)))
	// Across midnight is not expressible; it denies instead of allowing.
	w.Windows[0] = policy.Window{Days: []time.Weekday{time.Sunday}, Start: "22:00", End: "02:00"}
	assert.Equal(t, policy.Fail, eval(time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC)))
}
