package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// TestStaleEventRefusedByTheLog checks that a good event (signed, not
// expired, for the agent's environment, of the recorded artifact) of a
// release its environment no longer runs is not deployed: the log refuses
// the deployment report, logs the refusal, and the agent reports the event
// refused.
func TestStaleEventRefusedByTheLog(t *testing.T) {
	ctx := t.Context()
	work := t.TempDir()
	clk := &demo.Clock{}
	store, err := manifest.NewDirStore(filepath.Join(work, "store"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := demo.SSHKey("")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signature.NewSSHSigner(key, manifest.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	allowed, err := signature.ParseAllowedSigners(demo.AllowedSigners("release-bot@example.com", manifest.Namespace, key.PublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	order := []string{"staging", "prod"}
	storage := filepath.Join(work, "storage")
	// v1.0.0, then v1.1.0, promoted to staging; each artifact in storage.
	var promoted []manifest.Entry
	var recs []manifest.Record
	for i, tag := range []string{"v1.0.0", "v1.1.0"} {
		b, err := demo.BuildRelease(ctx, work, "web", tag, "v0.9.0", plumbing.NewHash(strings.Repeat(string(rune('a'+i)), 40)), nil, clk)
		if err != nil {
			t.Fatal(err)
		}
		b.Record.Tickets, b.Record.PRs = []string{"WEB-1"}, []manifest.PR{{Ref: "#1"}}
		if err := store.PutRecord(ctx, b.Record); err != nil {
			t.Fatal(err)
		}
		art := b.Record.Artifacts[0]
		data, err := os.ReadFile(filepath.Join(work, "dist", art.Name))
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(storage, strings.Replace(art.Digest, ":", "-", 1))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, art.Name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := manifest.Promote(ctx, store, manifest.PromoteRequest{Release: tag, Env: "staging", Digest: b.Digest, Releaser: "release-bot@example.com"},
			manifest.WithOrder(order...), manifest.WithClock(clk.Next))
		if err != nil {
			t.Fatal(err)
		}
		promoted, recs = append(promoted, e), append(recs, b.Record)
	}
	q, err := manifest.NewDirTransport(filepath.Join(work, "events"))
	if err != nil {
		t.Fatal(err)
	}
	a := &agent{name: "staging-agent-1", env: "staging", targets: []string{"web-staging-1"}, order: order, queue: q,
		verifier: signature.NewSSHVerifier(allowed, manifest.Namespace), storage: storage,
		envDir: filepath.Join(work, "envs", "staging"), store: store,
		health: func(string, string) error { return nil }}
	at := clk.Next()
	evt, err := manifest.NewEvent(promoted[0], recs[0], at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	se, err := manifest.SignEvent(ctx, evt, signer)
	if err != nil {
		t.Fatal(err)
	}

	o, err := a.handle(ctx, se, at)
	if err != nil {
		t.Fatal(err)
	}
	if o.result != resultRefused || !strings.Contains(o.detail, "release not promoted to the environment") || len(o.seqs) != 1 {
		t.Fatalf("outcome %+v", o)
	}
	entries, err := manifest.VerifyStore(ctx, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Seq != o.seqs[0] || last.Denial == nil || last.Denial.Action != manifest.AttemptDeployReport || last.Denial.Release != "v1.0.0" ||
		last.Denial.Actor == nil || last.Denial.Actor.Name != "staging-agent-1" {
		t.Errorf("last entry %+v", last)
	}
	if _, err := os.Stat(filepath.Join(work, "envs", "staging")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale release was deployed: %v", err)
	}
}

// TestFailedHealthCheckDoesNotSwitch checks that a deployment whose health
// check fails on a target fails, naming the target, and leaves the marker
// (what the environment runs) as it was.
func TestFailedHealthCheckDoesNotSwitch(t *testing.T) {
	work := t.TempDir()
	src := filepath.Join(work, "web-v2.tar.gz")
	if err := os.WriteFile(src, []byte("web v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	envDir := filepath.Join(work, "prod")
	if err := os.MkdirAll(envDir, 0o755); err != nil {
		t.Fatal(err)
	}
	before := []byte("release=v1\n")
	if err := os.WriteFile(filepath.Join(envDir, "DEPLOYED"), before, 0o644); err != nil {
		t.Fatal(err)
	}
	a := &agent{env: "prod", targets: []string{"web-1", "web-2"}, envDir: envDir,
		health: func(target, release string) error {
			if target == "web-2" {
				return errors.New("503")
			}
			return nil
		}}
	err := a.deploy(manifest.Event{Release: "v2", Env: "prod"}, manifest.SignedEvent{Payload: []byte("{}")}, src)
	if err == nil || err.Error() != "health check failed on web-2: 503; prod not switched to v2" {
		t.Errorf("deploy: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(envDir, "DEPLOYED")); err != nil || string(got) != string(before) {
		t.Errorf("marker %q, %v", got, err)
	}
}
