package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
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
// drained, and the log verifies and records every deployment and refusal in
// order, each for the right reason.
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

	// Every result, in order: who, whether it deployed, and why not.
	want := []struct {
		agent string
		ok    bool
		why   string
	}{
		{"staging-agent-1", false, "expired"},
		{"staging-agent-1", true, "deployed"},
		{"prod-agent-1", false, "bad signature"},
		{"prod-agent-1", false, `event for "staging"`},
		{"prod-agent-1", false, "artifact in storage has digest"},
		{"prod-agent-1", true, "deployed"},
	}
	var results []manifest.DeployResult
	for _, e := range entries {
		if e.Kind == manifest.KindDeployResult {
			results = append(results, *e.Result)
		}
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(results), len(want), results)
	}
	for i, w := range want {
		r := results[i]
		if r.Agent != w.agent || r.Succeeded != w.ok || !strings.Contains(r.Changed, w.why) {
			t.Errorf("result %d = %+v, want %s ok=%v %q", i, r, w.agent, w.ok, w.why)
		}
		if r.Succeeded && r.Digest != digest {
			t.Errorf("result %d deployed %s, the record has %s", i, r.Digest, digest)
		}
	}

	// Each environment runs exactly the recorded artifact, and its marker
	// names the event of the last successful result there.
	for env, last := range map[string]manifest.DeployResult{"staging": results[1], "prod": results[5]} {
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
		if !strings.Contains(string(marker), "event="+last.Event) || !strings.Contains(string(marker), "digest="+digest) {
			t.Errorf("%s marker %q does not name event %s", env, marker, last.Event)
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
