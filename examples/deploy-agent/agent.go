package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// An agent is the deploy agent of one environment ("A Better Deployments
// Pattern"): it holds no credentials to the CI system or the repository,
// only read access to the artifact storage, its environment's event queue,
// the release records and the log, and the public key of the promoter. It
// acts only on an event that
//   - carries a good signature from the promoter (manifest.OpenEvent),
//   - has not expired at the time the agent reads it,
//   - names the agent's own environment,
//   - names a digest that the release record holds and that the artifact
//     fetched from storage actually has,
//
// and it reports every event it consumed to the log: an event it refuses
// as the agent's result (manifest.RecordResult: which event, and why), a
// deployment it carries out as the deployment's outcome
// (manifest.ReportDeployment: started, then succeeded or failed with the
// error, on its targets), which the log accepts only for the release the
// environment was promoted to.
type agent struct {
	name     string
	env      string
	targets  []string            // the hosts it deploys to
	order    []string            // the environments in promotion order
	auth     manifest.Authorizer // who may report deployments where (the release configuration)
	queue    *manifest.DirTransport
	verifier signature.Verifier
	storage  string // artifacts by digest: storage/sha256-HEX/NAME
	envDir   string // where the environment's running artifact is
	store    manifest.Store
	// health checks the release on a target after the artifact is in
	// place; an error fails the deployment.
	health func(target, release string) error
}

// An outcome is what the agent did with one event, and the log entries
// that say so.
type outcome struct {
	agent   string
	release string
	result  string   // refused, or the deployment's last result: succeeded or failed
	detail  string   // what was deployed, or why not
	targets []string // where it was deployed
	seqs    []uint64 // the log entries
}

// resultRefused is the outcome of an event the agent refused.
const resultRefused = "refused"

// deployTime is how long the example's deployments take, from started to
// their result.
const deployTime = 2 * time.Minute

// run handles every pending event at time at and returns what it did.
func (a *agent) run(ctx context.Context, at time.Time) ([]outcome, error) {
	pending, err := a.queue.Pending(ctx)
	if err != nil {
		return nil, err
	}
	var outcomes []outcome
	for _, se := range pending {
		o, err := a.handle(ctx, se, at)
		if err != nil {
			return outcomes, err
		}
		// The event is consumed either way: a refused one is evidence in
		// the log, never retried; a failed deployment is retried by a new
		// event.
		if err := a.queue.Ack(ctx, se); err != nil {
			return outcomes, fmt.Errorf("ack: %w", err)
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
}

// handle checks se and, when every check passes, deploys it, reporting to
// the log what happened. Its error is a failure to report, not a refused
// event or a failed deployment.
func (a *agent) handle(ctx context.Context, se manifest.SignedEvent, at time.Time) (outcome, error) {
	o := outcome{agent: a.name}
	ev, src, err := a.check(ctx, se, at)
	o.release = ev.Release
	if err != nil {
		o.result, o.detail = resultRefused, err.Error()
		e, err := manifest.RecordResult(ctx, a.store, manifest.DeployResult{
			Event: manifest.Digest(se.Payload), Agent: a.name, Env: a.env, At: at,
			Release: ev.Release, Digest: ev.Digest, Changed: "refused: " + err.Error(),
		})
		if err != nil {
			return o, fmt.Errorf("record result: %w", err)
		}
		o.seqs = append(o.seqs, e.Seq)
		return o, nil
	}
	// report logs the deployment's result at time at; a refusal is logged
	// too, as a denied entry.
	report := func(result, errText string, at time.Time) error {
		e, err := manifest.ReportDeployment(ctx, a.store, manifest.DeploymentReport{
			Release: ev.Release, Env: a.env, Result: result, Error: errText, Targets: a.targets,
			Actor: &manifest.Actor{Name: a.name},
		}, manifest.WithOrder(a.order...), manifest.WithAuthorizer(a.auth), manifest.WithClock(func() time.Time { return at }))
		if e.Seq != 0 {
			o.seqs = append(o.seqs, e.Seq)
		}
		return err
	}
	// The log checks that ev's release is what the environment was last
	// promoted to; a stale event (another release promoted since) is
	// refused there, and the refusal logged.
	if err := report(manifest.ResultStarted, "", at); err != nil {
		var refused *manifest.RefusalError
		var notLogged *manifest.DenialError
		if errors.As(err, &refused) && !errors.As(err, &notLogged) {
			o.result, o.detail = resultRefused, refused.Error()
			return o, nil
		}
		return o, fmt.Errorf("report deployment: %w", err)
	}
	o.result, o.detail, o.targets = manifest.ResultSucceeded, fmt.Sprintf("deployed %s (%s)", filepath.Base(src), ev.Digest), a.targets
	if err := a.deploy(ev, se, src); err != nil {
		o.result, o.detail = manifest.ResultFailed, err.Error()
	}
	errText := ""
	if o.result == manifest.ResultFailed {
		errText = o.detail
	}
	if err := report(o.result, errText, at.Add(deployTime)); err != nil {
		return o, fmt.Errorf("report deployment: %w", err)
	}
	return o, nil
}

// check verifies se: its signature and expiry, its environment, the
// release record's digest, and the digest of the artifact in storage. It
// returns the event and the artifact's path in storage.
func (a *agent) check(ctx context.Context, se manifest.SignedEvent, at time.Time) (manifest.Event, string, error) {
	ev, err := manifest.OpenEvent(ctx, se, a.verifier, at)
	if err != nil {
		switch {
		case errors.Is(err, manifest.ErrEventExpired):
			return ev, "", errors.New("event expired")
		case errors.Is(err, signature.ErrBadSignature):
			return ev, "", errors.New("bad signature")
		}
		return ev, "", err
	}
	if ev.Env != a.env {
		return ev, "", fmt.Errorf("event for %q, this agent deploys %q", ev.Env, a.env)
	}
	rec, err := a.store.Record(ctx, ev.Release)
	if err != nil {
		return ev, "", fmt.Errorf("release record: %w", err)
	}
	if !rec.HasDigest(ev.Digest) {
		return ev, "", fmt.Errorf("digest %s is not in the record of %s", ev.Digest, ev.Release)
	}
	dir := filepath.Join(a.storage, strings.Replace(ev.Digest, ":", "-", 1))
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 1 {
		return ev, "", fmt.Errorf("artifact %s not in storage", ev.Digest)
	}
	src := filepath.Join(dir, files[0].Name())
	data, err := os.ReadFile(src)
	if err != nil {
		return ev, "", err
	}
	sum := sha256.Sum256(data)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != ev.Digest {
		return ev, "", fmt.Errorf("artifact in storage has digest %s, the event names %s", got, ev.Digest)
	}
	return ev, src, nil
}

// deploy puts the artifact src of ev into the environment's directory,
// which its targets serve from, and health-checks the release on every
// target; only when all pass does the marker switch to say what runs. A
// failure leaves the marker, and so what the environment runs, as it was.
func (a *agent) deploy(ev manifest.Event, se manifest.SignedEvent, src string) error {
	if err := os.MkdirAll(a.envDir, 0o755); err != nil {
		return err
	}
	// Written to a temporary name and renamed.
	if err := copyFile(filepath.Join(a.envDir, filepath.Base(src)), src); err != nil {
		return err
	}
	for _, t := range a.targets {
		if err := a.health(t, ev.Release); err != nil {
			return fmt.Errorf("health check failed on %s: %w; %s not switched to %s", t, err, a.env, ev.Release)
		}
	}
	marker := fmt.Sprintf("release=%s\ndigest=%s\nevent=%s\n", ev.Release, ev.Digest, manifest.Digest(se.Payload))
	return os.WriteFile(filepath.Join(a.envDir, "DEPLOYED"), []byte(marker), 0o644)
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
