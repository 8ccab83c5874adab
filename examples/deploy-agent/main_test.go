package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/examples/internal/demotest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// TestRun plays the event-driven deployment in a kept workspace and checks
// the outcome: what each environment's directory holds, the queues are
// drained, and the log verifies and records every refused event and every
// deployment's outcome in order, each for the right reason.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	demotest.Golden(t, out.Bytes())
	ctx := t.Context()

	store, err := manifest.NewDirStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	prod, ok := manifest.Current(entries, "prod")
	if !ok {
		t.Fatal("nothing promoted to prod")
	}
	rec, err := store.Record(ctx, prod.Release)
	if err != nil {
		t.Fatal(err)
	}
	digest := rec.Artifacts[0].Digest
	// prod was approved and triggered by whom the release configuration the
	// run kept allows, with no check skipped.
	cfg := demotest.Config(t, dir)
	if cfg.Authorize("prod", manifest.ActionApprove, prod.Approver) != nil || cfg.Authorize("prod", manifest.ActionDeploy, prod.Releaser) != nil || len(prod.Unsafe) != 0 {
		t.Errorf("prod approver %q, releaser %q, unsafe %v: not what %s allows", prod.Approver, prod.Releaser, prod.Unsafe, cfg.File)
	}

	// The release tag is signed by the promoter's key.
	allowed := demotest.AllowedSigners(t, dir)
	repo, err := git.PlainOpen(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	gitSigners := []signature.AllowedSigner{{Principals: allowed[0].Principals, Key: allowed[0].Key}}
	if _, err := tagging.Verify(ctx, repo, rec.Tag, signature.NewSSHVerifier(gitSigners, tagging.GitNamespace), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("tag %s: %v", rec.Tag, err)
	}

	// Every refused event, in order: which agent, and why.
	want := []struct {
		agent string
		why   string
	}{
		{"staging-agent-1", "expired"},
		{"prod-agent-1", "bad signature"},
		{"prod-agent-1", `event for "staging"`},
		{"prod-agent-1", "artifact in storage has digest"},
	}
	var results []manifest.DeployResult
	var deploys []manifest.Deployment
	var seqs []uint64
	for _, e := range entries {
		switch e.Kind {
		case manifest.KindDeployResult:
			results = append(results, *e.Result)
		case manifest.KindDeployment:
			deploys = append(deploys, *e.Deploy)
			seqs = append(seqs, e.Seq)
		case manifest.KindPromotion:
		default:
			t.Errorf("entry %d: unexpected %s", e.Seq, e.Kind)
		}
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(results), len(want), results)
	}
	for i, w := range want {
		r := results[i]
		if r.Agent != w.agent || r.Succeeded || !strings.Contains(r.Changed, w.why) {
			t.Errorf("result %d = %+v, want %s refused %q", i, r, w.agent, w.why)
		}
	}

	// Every deployment, in order: where, on which targets, its result, and
	// a failure's error; each of the release its environment was promoted
	// to, by the agent, at the recorded digest and commit.
	wantDeploys := []struct {
		env, result string
		targets     []string
		err         string
	}{
		{"staging", manifest.ResultStarted, []string{"web-staging-1"}, ""},
		{"staging", manifest.ResultSucceeded, []string{"web-staging-1"}, ""},
		{"prod", manifest.ResultStarted, []string{"web-prod-1", "web-prod-2"}, ""},
		{"prod", manifest.ResultFailed, []string{"web-prod-1", "web-prod-2"}, "health check failed on web-prod-2: GET https://web-prod-2/healthz answered 503 Service Unavailable"},
		{"prod", manifest.ResultStarted, []string{"web-prod-1", "web-prod-2"}, ""},
		{"prod", manifest.ResultSucceeded, []string{"web-prod-1", "web-prod-2"}, ""},
	}
	if len(deploys) != len(wantDeploys) {
		t.Fatalf("%d deployments, want %d: %+v", len(deploys), len(wantDeploys), deploys)
	}
	for i, w := range wantDeploys {
		d := deploys[i]
		if d.Env != w.env || d.Result != w.result || !slices.Equal(d.Targets, w.targets) || !strings.HasPrefix(d.Error, w.err) || (w.err == "") != (d.Error == "") {
			t.Errorf("deployment %d (entry %d) = %+v, want %+v", i, seqs[i], d, w)
		}
		if d.Release != rec.Tag || d.Digest != digest || d.Commit != rec.Commit || d.Actor == nil || d.Actor.Name != w.env+"-agent-1" || d.Actor.Verified {
			t.Errorf("deployment %d (entry %d) = %+v", i, seqs[i], d)
		}
		if p, ok := manifest.Current(entries[:d.Promotion], w.env); !ok || p.Release != rec.Tag || entries[d.Promotion-1].Promotion == nil {
			t.Errorf("deployment %d (entry %d) names promotion %d", i, seqs[i], d.Promotion)
		}
	}

	// Each environment runs exactly the recorded artifact, its marker says
	// so, and its queue is drained.
	for _, env := range []string{"staging", "prod"} {
		data, err := os.ReadFile(filepath.Join(dir, "envs", env, rec.Artifacts[0].Name))
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		sum := sha256.Sum256(data)
		if got := "sha256:" + hex.EncodeToString(sum[:]); got != digest {
			t.Errorf("%s runs %s, want %s", env, got, digest)
		}
		marker, err := os.ReadFile(filepath.Join(dir, "envs", env, "DEPLOYED"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(marker), "release="+rec.Tag+"\n") || !strings.Contains(string(marker), "digest="+digest+"\n") ||
			!strings.Contains(string(marker), "event=sha256:") {
			t.Errorf("%s marker %q", env, marker)
		}
		q, err := manifest.NewDirTransport(filepath.Join(dir, "events", env))
		if err != nil {
			t.Fatal(err)
		}
		if p, err := q.Pending(ctx); err != nil || len(p) != 0 {
			t.Errorf("%s queue: %d pending, %v", env, len(p), err)
		}
	}
}
