package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// typed is a reporter typed on the command line: unverified.
var typed = &manifest.Actor{Name: "deploy-bot"}

func TestReportDeployment(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		ctx := t.Context()
		st, err := open(dir)
		require.NoError(t, err)
		require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
		p, err := promote(ctx, st, req("v1.0.0", "dev", "app"))
		require.NoError(t, err)
		opts := []manifest.Option{manifest.WithClock(clock())}

		e, err := manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: "dev", Result: manifest.ResultStarted, Actor: typed}, opts...)
		require.NoError(t, err)
		assert.Equal(t, manifest.KindDeployment, e.Kind)
		assert.Equal(t, manifest.Deployment{
			Release: "v1.0.0", Env: "dev", Result: "started", Digest: digestOf("app"),
			Commit: strings.Repeat("a", 40), Promotion: p.Seq, Actor: typed, At: time.Date(2026, 1, 5, 9, 1, 0, 0, time.UTC),
		}, *e.Deploy, "the digest and the commit are the promotion's and the record's")

		targets := []string{"web-1.eu", "web-2.eu", "k8s/prod-eu"}
		e, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{
			Release: "v1.0.0", Env: "dev", Result: manifest.ResultSucceeded, Targets: targets,
			Branch: "main", Commit: strings.Repeat("A", 40), Actor: verifiedActor("deploy-bot"),
		}, opts...)
		require.NoError(t, err)
		assert.Equal(t, targets, e.Deploy.Targets)
		assert.Equal(t, "main", e.Deploy.Branch)
		assert.Equal(t, strings.Repeat("a", 40), e.Deploy.Commit)
		assert.Equal(t, verifiedActor("deploy-bot"), e.Deploy.Actor)
		targets[0] = "changed"
		assert.Equal(t, "web-1.eu", e.Deploy.Targets[0], "the entry holds its own targets")

		e, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{
			Release: "v1.0.0", Env: "dev", Result: manifest.ResultFailed, Error: "health check: 503 from web-2.eu\nrolled back by the agent", Targets: []string{"web-2.eu"},
			Actor: typed,
		}, opts...)
		require.NoError(t, err)
		assert.Equal(t, "failed", e.Deploy.Result)
		assert.Equal(t, "health check: 503 from web-2.eu\nrolled back by the agent", e.Deploy.Error)

		// Outcomes share the chain; each reads back strictly.
		st, err = open(dir)
		require.NoError(t, err)
		entries, err := manifest.VerifyStore(ctx, st, nil)
		require.NoError(t, err)
		require.Len(t, entries, 4)
		assert.Equal(t, e, entries[3])
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		got, err := manifest.ParseEntry(b)
		require.NoError(t, err)
		assert.Equal(t, e, got)
	})
}

func TestReportDeploymentRefusesBadInput(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"))
	_, err := promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	ok := manifest.DeploymentReport{Release: "v1.0.0", Env: "dev", Result: manifest.ResultSucceeded, Actor: verifiedActor("deploy-bot")}
	many := make([]string, manifest.MaxTargets+1)
	kib := strings.Repeat("x", 1024)
	for i := range many {
		many[i] = "t" + strings.Repeat("x", i)
	}
	changes := &manifest.ChangedFiles{To: "v1.0.0", ToTree: strings.Repeat("c", 40), Files: []manifest.FileChange{}}
	for _, tt := range []struct {
		name   string
		mutate func(*manifest.DeploymentReport)
		field  string
		reason string
	}{
		{"no release", func(r *manifest.DeploymentReport) { r.Release = "" }, "release", "required"},
		{"no actor", func(r *manifest.DeploymentReport) { r.Actor = nil }, "actor", "required"},
		{"an actor without a name", func(r *manifest.DeploymentReport) {
			r.Actor = &manifest.Actor{Verified: true, Issuer: "i", Subject: "s"}
		}, "actor", "required"},
		{"an actor named by white space", func(r *manifest.DeploymentReport) { r.Actor = &manifest.Actor{Name: " \u200b"} }, "actor", "required"},
		{"an actor name too long", func(r *manifest.DeploymentReport) { r.Actor = &manifest.Actor{Name: kib + "x"} }, "actor.name", "too long"},
		{"a subject too long", func(r *manifest.DeploymentReport) { r.Actor = verifiedActor("deploy-bot"); r.Actor.Subject = kib + "x" }, "actor.subject", "too long"},
		{"a claim too long", func(r *manifest.DeploymentReport) {
			r.Actor = verifiedActor("deploy-bot")
			r.Actor.Claims.Workflow = kib + "x"
		}, "actor.claims.workflow", "too long"},
		{"a token audience too long", func(r *manifest.DeploymentReport) {
			r.Actor = verifiedActor("deploy-bot")
			r.Actor.Token.Audience = append(r.Actor.Token.Audience, kib+"x")
		}, "actor.token.audience", "too long"},
		{"too many token audiences", func(r *manifest.DeploymentReport) {
			r.Actor = verifiedActor("deploy-bot")
			r.Actor.Token.Audience = make([]string, 17)
		}, "actor.token.audience", "too many"},
		{"no result", func(r *manifest.DeploymentReport) { r.Result = "" }, "result", "unknown result"},
		{"unknown result", func(r *manifest.DeploymentReport) { r.Result = "done" }, "result", "unknown result"},
		{"denied is no outcome", func(r *manifest.DeploymentReport) { r.Result = manifest.ResultDenied }, "result", "unknown result"},
		{"failed without error", func(r *manifest.DeploymentReport) { r.Result = manifest.ResultFailed }, "error", "required"},
		{"failed with an invisible error", func(r *manifest.DeploymentReport) { r.Result, r.Error = manifest.ResultFailed, "\u200b " }, "error", "required"},
		{"error of a success", func(r *manifest.DeploymentReport) { r.Error = "oops" }, "error", "only for a failed result"},
		{"error too long", func(r *manifest.DeploymentReport) {
			r.Result, r.Error = manifest.ResultFailed, strings.Repeat("e", manifest.MaxDeploymentError+1)
		}, "error", "too long"},
		{"error not UTF-8", func(r *manifest.DeploymentReport) { r.Result, r.Error = manifest.ResultFailed, "bad \xff" }, "error", "invalid UTF-8"},
		{"empty target", func(r *manifest.DeploymentReport) { r.Targets = []string{"web-1", ""} }, "targets", "required"},
		{"newline in a target", func(r *manifest.DeploymentReport) { r.Targets = []string{"web-1\nweb-2"} }, "targets", "control character"},
		{"escape in a target", func(r *manifest.DeploymentReport) { r.Targets = []string{"web\x1b[2J"} }, "targets", "control character"},
		{"bidi override in a target", func(r *manifest.DeploymentReport) { r.Targets = []string{"web\u202e1"} }, "targets", "control character"},
		{"target not UTF-8", func(r *manifest.DeploymentReport) { r.Targets = []string{"web\xff"} }, "targets", "invalid UTF-8"},
		{"target too long", func(r *manifest.DeploymentReport) { r.Targets = []string{strings.Repeat("w", 257)} }, "targets", "too long"},
		{"target twice", func(r *manifest.DeploymentReport) { r.Targets = []string{"web-1", "web-2", "web-1"} }, "targets", "duplicate"},
		{"too many targets", func(r *manifest.DeploymentReport) { r.Targets = many }, "targets", "too many"},
		{"control character in the branch", func(r *manifest.DeploymentReport) { r.Branch = "main\x00" }, "branch", "control character"},
		{"branch too long", func(r *manifest.DeploymentReport) { r.Branch = strings.Repeat("b", 257) }, "branch", "too long"},
		{"not a commit", func(r *manifest.DeploymentReport) { r.Commit = "HEAD" }, "commit", "not a commit"},
		{"short commit", func(r *manifest.DeploymentReport) { r.Commit = "aaaaaaa" }, "commit", "not a commit"},
		{"another commit", func(r *manifest.DeploymentReport) { r.Commit = strings.Repeat("b", 40) }, "commit", "not the release's commit"},
		{"changes of another release", func(r *manifest.DeploymentReport) {
			c := *changes
			c.To = "v0.9.0"
			r.Changes = &c
		}, "changes", "not this release"},
		{"changes from another release", func(r *manifest.DeploymentReport) {
			c := *changes
			c.From, c.FromTree = "v0.9.0", strings.Repeat("d", 40)
			r.Changes = &c
		}, "changes", "not from the previous release"},
		{"inconsistent changes", func(r *manifest.DeploymentReport) {
			c := *changes
			c.Total = 3
			r.Changes = &c
		}, "changes", "invalid changes"},
		{"a digest that is none", func(r *manifest.DeploymentReport) {
			c := *changes
			c.Files, c.Total = []manifest.FileChange{{Path: "a", Change: "added", SHA256: "sha256:" + strings.Repeat("a", 64)}}, 1
			r.Changes = &c
		}, "changes", "invalid changes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.mutate(&r)
			before, err := st.Entries(ctx)
			require.NoError(t, err)
			_, err = manifest.ReportDeployment(ctx, st, r)
			var fe *manifest.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, tt.reason, fe.Reason)
			assert.ErrorIs(t, err, &manifest.FieldError{Field: tt.field, Reason: tt.reason})
			after, err := st.Entries(ctx)
			require.NoError(t, err)
			assert.Equal(t, before, after, "bad input is not logged")
		})
	}

	// An unknown environment and a release without a record are refusals,
	// not bad input: logged, as Promote logs them.
	before, err := st.Entries(ctx)
	require.NoError(t, err)
	e, err := manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: "qa", Result: manifest.ResultStarted, Actor: typed})
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
	d := requireDenied(t, st, before, e, err, manifest.AttemptDeployReport, nil)
	assert.Equal(t, "qa", d.Env)
	assert.Equal(t, typed, d.Actor)
	before = append(before, e)
	e, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v9.0.0", Env: "dev", Result: manifest.ResultStarted, Actor: typed})
	assert.ErrorIs(t, err, manifest.ErrNotFound)
	d = requireDenied(t, st, before, e, err, manifest.AttemptDeployReport, nil)
	assert.Equal(t, "v9.0.0", d.Release)
	before = append(before, e)

	// Changes are evidence: a store that cannot keep evidence fails closed.
	var logOnly struct{ manifest.Store }
	logOnly.Store = st
	_, err = manifest.ReportDeployment(ctx, logOnly, manifest.DeploymentReport{Release: "v1.0.0", Env: "dev", Result: manifest.ResultStarted, Changes: changes, Actor: typed})
	assert.ErrorIs(t, err, &manifest.FieldError{Field: "changes", Reason: "store keeps no evidence"})
	ds := st.(*manifest.DirStore)
	_, err = manifest.ReportDeployment(ctx, failingEvidence{ds}, manifest.DeploymentReport{Release: "v1.0.0", Env: "dev", Result: manifest.ResultStarted, Changes: changes, Actor: typed})
	assert.ErrorContains(t, err, "bucket read-only")
	after, err := st.Entries(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing logged")

	// A store that fails to read a record is no refusal: returned, not
	// logged.
	disk := errors.New("disk offline")
	_, err = manifest.ReportDeployment(ctx, brokenRecords{st, disk}, manifest.DeploymentReport{Release: "v1.0.0", Env: "dev", Result: manifest.ResultStarted, Actor: typed})
	assert.ErrorIs(t, err, disk)
	after, err = st.Entries(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing logged")
}

// brokenRecords is a store whose records cannot be read.
type brokenRecords struct {
	manifest.Store
	err error
}

func (b brokenRecords) Record(context.Context, string) (manifest.Record, error) {
	return manifest.Record{}, b.err
}

// recordingAuth is an Authorizer that allows who is in allow and records
// every question.
type recordingAuth struct {
	allow []string
	asked *[]string
}

func (a recordingAuth) Authorize(env string, action manifest.Action, who string) error {
	*a.asked = append(*a.asked, fmt.Sprintf("%s %s %s", env, action, who))
	if slices.Contains(a.allow, who) {
		return nil
	}
	return fmt.Errorf("%s may not %s in %s", who, action, env)
}

// A deployment report is authorised like a promotion: an Authorizer
// decides whether the reporter may deploy to the environment, and a
// production environment fails closed without one.
func TestReportDeploymentAuthorization(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"))
	promoteAll(t, st, "v1.0.0", "app")
	report := func(env string, actor *manifest.Actor, opts ...manifest.Option) (manifest.Entry, error) {
		return manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: env, Result: manifest.ResultSucceeded, Actor: actor},
			append([]manifest.Option{manifest.WithClock(clock())}, opts...)...)
	}
	const env = "REL-ENV-001"
	var asked []string
	auth := manifest.WithAuthorizer(recordingAuth{allow: []string{"deploy-bot"}, asked: &asked})
	for _, tt := range []struct {
		name   string
		env    string
		actor  *manifest.Actor
		opts   []manifest.Option
		reason string // "" when the report is logged
		unsafe []string
		asked  []string
	}{
		{"production without an authorizer", "prod", verifiedActor("deploy-bot"), nil, "no authorization for production", nil, nil},
		{"a production named", "staging", typed, []manifest.Option{manifest.WithProduction("staging")}, "no authorization for production", nil, nil},
		{"the reporter not allowed", "prod", &manifest.Actor{Name: "mallory"}, []manifest.Option{auth}, "reporter not authorized", nil, []string{"prod deploy mallory"}},
		{"the reporter not allowed outside production", "dev", &manifest.Actor{Name: "mallory"}, []manifest.Option{auth}, "reporter not authorized", nil, []string{"dev deploy mallory"}},
		{"a verified reporter not allowed", "prod", verifiedActor("ci-bot"), []manifest.Option{auth}, "reporter not authorized", nil, []string{"prod deploy ci-bot"}},
		{"the reporter allowed", "prod", verifiedActor("deploy-bot"), []manifest.Option{auth}, "", nil, []string{"prod deploy deploy-bot"}},
		{"no authorizer outside production", "dev", typed, nil, "", nil, nil},
		{"production no longer", "prod", typed, []manifest.Option{manifest.WithProduction("staging")}, "", nil, nil},
		{"the check skipped, and recorded", "prod", typed, []manifest.Option{manifest.WithSkipAuthorizationUnsafe(), manifest.WithUnsafe("order-unsafe")}, "",
			[]string{"order-unsafe", manifest.UnsafeSkipAuthorization}, nil},
		{"a skip that skips nothing", "prod", verifiedActor("deploy-bot"), []manifest.Option{auth, manifest.WithSkipAuthorizationUnsafe()}, "", nil, []string{"prod deploy deploy-bot"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			asked = nil
			before, err := st.Entries(ctx)
			require.NoError(t, err)
			e, err := report(tt.env, tt.actor, tt.opts...)
			assert.Equal(t, tt.asked, asked, "the authorizer is asked whether the reporter may deploy")
			if tt.reason == "" {
				require.NoError(t, err)
				require.NotNil(t, e.Deploy)
				assert.Equal(t, tt.actor, e.Deploy.Actor)
				assert.Equal(t, tt.unsafe, e.Deploy.Unsafe)
				return
			}
			assert.ErrorIs(t, err, &manifest.RefusalError{Reason: tt.reason})
			d := requireDenied(t, st, before, e, err, manifest.AttemptDeployReport, []string{env})
			assert.Equal(t, tt.actor, d.Actor)
			assert.Equal(t, tt.env, d.Env)
		})
	}
	_, err := report("prod", &manifest.Actor{Name: "mallory"}, auth)
	assert.ErrorContains(t, err, "mallory may not deploy in prod", "the authorizer's reason")
}

// A report of a release the environment does not run is refused and
// logged as a denial.
func TestReportDeploymentNotPromoted(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")))
	report := func(release, env string) (manifest.Entry, error) {
		return manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{
			Release: release, Env: env, Result: manifest.ResultSucceeded, Targets: []string{"web-1"}, Actor: verifiedActor("deploy-bot"),
		}, manifest.WithClock(clock()))
	}
	var before []manifest.Entry
	check := func(e manifest.Entry, err error, release, env string) {
		t.Helper()
		assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "release not promoted to the environment"})
		d := requireDenied(t, st, before, e, err, manifest.AttemptDeployReport, nil)
		assert.Equal(t, release, d.Release)
		assert.Equal(t, env, d.Env)
		assert.Equal(t, verifiedActor("deploy-bot"), d.Actor)
		assert.Equal(t, time.Date(2026, 1, 5, 9, 1, 0, 0, time.UTC), d.At)
		before = append(before, e)
	}
	e, err := report("v1.0.0", "dev")
	check(e, err, "v1.0.0", "dev")

	_, err = promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	_, err = promote(ctx, st, req("v1.1.0", "dev", "app11"))
	require.NoError(t, err)
	before, err = st.Entries(ctx)
	require.NoError(t, err)
	e, err = report("v1.0.0", "dev")
	check(e, err, "v1.0.0", "dev")
	assert.Contains(t, err.Error(), "dev runs v1.1.0")
	e, err = report("v1.0.0", "staging")
	check(e, err, "v1.0.0", "staging")

	e, err = report("v1.1.0", "dev")
	require.NoError(t, err)
	assert.Equal(t, manifest.KindDeployment, e.Kind)

	// After a rollback, the release rolled back to is what runs.
	_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "errors"})
	require.NoError(t, err)
	e, err = report("v1.0.0", "dev")
	require.NoError(t, err)
	assert.Equal(t, digestOf("app"), e.Deploy.Digest)
}

// The files a deployment changed, from the git trees: kept as evidence,
// summarised in the entry.
func TestReportDeploymentChanges(t *testing.T) {
	ctx := t.Context()
	r := changesRepo(t)
	repo := r.GoGit(t)
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v2.0.0", "app2", "v1.0.0", digestOf("app")))
	es := evidenceStoreOf(t, st)
	deploy := func(release string) manifest.Entry {
		t.Helper()
		entries, err := st.Entries(ctx)
		require.NoError(t, err)
		from, _ := manifest.PreviousRelease(entries, "dev", release)
		changes, err := manifest.TreeChanges(ctx, repo, from, release)
		require.NoError(t, err)
		e, err := manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: release, Env: "dev", Result: manifest.ResultSucceeded, Changes: changes, Actor: typed})
		require.NoError(t, err)
		require.NotNil(t, e.Deploy.Changes)
		ev, err := es.Evidence(ctx, e.Deploy.Changes.Digest)
		require.NoError(t, err)
		got, err := manifest.ParseChangedFiles(ev)
		require.NoError(t, err)
		assert.Equal(t, *changes, got, "the evidence is the manifest")
		return e
	}

	_, err := promote(ctx, st, req("v1.0.0", "dev", "app"))
	require.NoError(t, err)
	e := deploy("v1.0.0")
	assert.Equal(t, manifest.ChangedFilesSummary{Digest: e.Deploy.Changes.Digest, Files: 6, Added: 6}, *e.Deploy.Changes, "the first deployment adds everything")

	_, err = promote(ctx, st, req("v2.0.0", "dev", "app2"))
	require.NoError(t, err)
	e = deploy("v2.0.0")
	assert.Equal(t, manifest.ChangedFilesSummary{Digest: e.Deploy.Changes.Digest, From: "v1.0.0", Files: 7, Added: 2, Modified: 3, Deleted: 2}, *e.Deploy.Changes)

	// A truncated manifest says so in the summary.
	cf, err := manifest.TreeChangesBounded(ctx, repo, "v1.0.0", "v2.0.0", 2)
	require.NoError(t, err)
	e, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v2.0.0", Env: "dev", Result: manifest.ResultFailed, Error: "timeout", Changes: cf, Actor: typed})
	require.NoError(t, err)
	assert.Equal(t, manifest.ChangedFilesSummary{Digest: e.Deploy.Changes.Digest, From: "v1.0.0", Files: 7, Modified: 1, Deleted: 1, Truncated: true}, *e.Deploy.Changes)
	_, err = manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
}

func TestPreviousRelease(t *testing.T) {
	var entries []manifest.Entry
	add := func(release, env, rollbackFrom string, m *manifest.Manifest) {
		entries = append(entries, manifest.Entry{Seq: uint64(len(entries) + 1), Kind: manifest.KindPromotion,
			Promotion: &manifest.Promotion{Release: release, Env: env, Digest: digestOf(release), RollbackFrom: rollbackFrom, Manifest: m}})
	}
	add("v1", "dev", "", nil)
	add("v1", "staging", "", nil)
	add("v2", "dev", "", nil)
	add("v2", "dev", "", nil) // a second artifact
	entries = append(entries, manifest.Entry{Seq: uint64(len(entries) + 1), Kind: manifest.KindNote, Note: "n"})
	add("v3", "dev", "", nil)
	add("v2", "dev", "v3", nil) // rolled back
	m := sampleManifest()
	add("2026.01", "dev", "", &m)
	for _, tt := range []struct {
		env, release, want string
		ok                 bool
	}{
		{"dev", "v1", "", false},
		{"dev", "v2", "v3", true}, // the rollback replaced v3
		{"dev", "v3", "v2", true},
		{"dev", "v4", "v2", true}, // not promoted yet: what dev runs now
		{"staging", "v1", "", false},
		{"staging", "v2", "v1", true},
		{"prod", "v1", "", false},
	} {
		got, ok := manifest.PreviousRelease(entries, tt.env, tt.release)
		assert.Equal(t, tt.want, got, "%s %s", tt.env, tt.release)
		assert.Equal(t, tt.ok, ok, "%s %s", tt.env, tt.release)
	}
}

func TestParseChangedFiles(t *testing.T) {
	h := func(s string) string { return strings.TrimPrefix(digestOf(s), "sha256:") }
	valid := `{"from":"v1","from_tree":"t1","to":"v2","to_tree":"t2","files":[` +
		`{"path":"a","change":"added","sha256":"` + h("a") + `"},` +
		`{"path":"b","change":"modified","sha256":"` + h("b2") + `","previous":"` + h("b1") + `"},` +
		`{"path":"c","change":"deleted","previous":"` + h("c") + `"}],"total":4,"truncated":true}`
	cf, err := manifest.ParseChangedFiles([]byte(valid))
	require.NoError(t, err)
	assert.Len(t, cf.Files, 3)
	assert.Equal(t, 4, cf.Total)
	for name, bad := range map[string]string{
		"not JSON":               `{`,
		"unknown field":          strings.Replace(valid, `"total"`, `"count":1,"total"`, 1),
		"duplicate key":          strings.Replace(valid, `"to":"v2"`, `"to":"v2","to":"v3"`, 1),
		"trailing data":          valid + `{}`,
		"no to":                  strings.Replace(valid, `"to":"v2"`, `"to":""`, 1),
		"no to tree":             strings.Replace(valid, `"to_tree":"t2"`, `"to_tree":""`, 1),
		"tree without from":      strings.Replace(valid, `"from":"v1"`, `"from":""`, 1),
		"total below the list":   strings.Replace(valid, `"total":4`, `"total":2`, 1),
		"truncated not said":     strings.Replace(valid, `"truncated":true`, `"truncated":false`, 1),
		"truncated with all":     strings.Replace(valid, `"total":4`, `"total":3`, 1),
		"unsorted":               strings.Replace(valid, `"path":"a"`, `"path":"x"`, 1),
		"empty path":             strings.Replace(valid, `"path":"a"`, `"path":""`, 1),
		"unknown change":         strings.Replace(valid, `"change":"added"`, `"change":"renamed"`, 1),
		"added with previous":    strings.Replace(valid, `"change":"added"`, `"change":"added","previous":"`+h("x")+`"`, 1),
		"deleted with a digest":  strings.Replace(valid, `"change":"deleted"`, `"change":"deleted","sha256":"`+h("x")+`"`, 1),
		"modified without old":   strings.Replace(valid, `,"previous":"`+h("b1")+`"`, ``, 1),
		"prefixed digest":        strings.Replace(valid, `"sha256":"`+h("a"), `"sha256":"sha256:`+h("a"), 1),
		"uppercase digest":       strings.Replace(valid, h("a"), strings.ToUpper(h("a")), 1),
		"first deploy, modified": `{"to":"v2","to_tree":"t2","files":[{"path":"b","change":"modified","sha256":"` + h("b2") + `","previous":"` + h("b1") + `"}],"total":1}`,
	} {
		_, err := manifest.ParseChangedFiles([]byte(bad))
		assert.ErrorIs(t, err, &manifest.FormatError{Reason: "invalid changed files"}, name)
	}
	many := `{"to":"v2","to_tree":"t2","files":[` + strings.Repeat(`{"path":"a","change":"added","sha256":"`+h("a")+`"},`, manifest.MaxChangedFiles) +
		`{"path":"a","change":"added","sha256":"` + h("a") + `"}],"total":10001}`
	_, err = manifest.ParseChangedFiles([]byte(many))
	assert.ErrorContains(t, err, "at most")
}

func FuzzParseChangedFiles(f *testing.F) {
	h := strings.TrimPrefix(digestOf("a"), "sha256:")
	f.Add([]byte(`{"to":"v2","to_tree":"t","files":[{"path":"a","change":"added","sha256":"` + h + `"}],"total":1}`))
	f.Add([]byte(`{"from":"v1","to":"v2","to_tree":"t","files":[],"total":3,"truncated":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := manifest.ParseChangedFiles(data)
		if err != nil {
			if !errors.Is(err, &manifest.FormatError{Reason: "invalid changed files"}) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if cf.Total < len(cf.Files) || len(cf.Files) > manifest.MaxChangedFiles {
			t.Fatalf("inconsistent manifest accepted: %+v", cf)
		}
	})
}
