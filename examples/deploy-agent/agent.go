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
// and it reports every event it consumed, deployed or refused, to the log.
type agent struct {
	name     string
	env      string
	queue    *manifest.DirTransport
	verifier signature.Verifier
	storage  string // artifacts by digest: storage/sha256-HEX/NAME
	envDir   string // where the environment's running artifact is
	store    manifest.Store
}

// run handles every pending event at time at and returns the results it
// recorded.
func (a *agent) run(ctx context.Context, at time.Time) ([]manifest.DeployResult, error) {
	pending, err := a.queue.Pending(ctx)
	if err != nil {
		return nil, err
	}
	var results []manifest.DeployResult
	for _, se := range pending {
		res := manifest.DeployResult{Event: manifest.Digest(se.Payload), Agent: a.name, Env: a.env, At: at}
		changed, ev, err := a.deploy(ctx, se, at)
		res.Release, res.Digest = ev.Release, ev.Digest
		if err != nil {
			res.Changed = "refused: " + err.Error()
		} else {
			res.Succeeded, res.Changed = true, changed
		}
		if _, err := manifest.RecordResult(ctx, a.store, res); err != nil {
			return results, fmt.Errorf("record result: %w", err)
		}
		// The event is consumed either way: a refused one is evidence in
		// the log, never retried.
		if err := a.queue.Ack(ctx, se); err != nil {
			return results, fmt.Errorf("ack: %w", err)
		}
		results = append(results, res)
	}
	return results, nil
}

// deploy verifies se and, if every check passes, copies the artifact into
// the environment. It returns what changed.
func (a *agent) deploy(ctx context.Context, se manifest.SignedEvent, at time.Time) (string, manifest.Event, error) {
	ev, err := manifest.OpenEvent(ctx, se, a.verifier, at)
	if err != nil {
		switch {
		case errors.Is(err, manifest.ErrEventExpired):
			return "", ev, errors.New("event expired")
		case errors.Is(err, signature.ErrBadSignature):
			return "", ev, errors.New("bad signature")
		}
		return "", ev, err
	}
	if ev.Env != a.env {
		return "", ev, fmt.Errorf("event for %q, this agent deploys %q", ev.Env, a.env)
	}
	rec, err := a.store.Record(ctx, ev.Release)
	if err != nil {
		return "", ev, fmt.Errorf("release record: %w", err)
	}
	if !rec.HasDigest(ev.Digest) {
		return "", ev, fmt.Errorf("digest %s is not in the record of %s", ev.Digest, ev.Release)
	}
	dir := filepath.Join(a.storage, strings.Replace(ev.Digest, ":", "-", 1))
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 1 {
		return "", ev, fmt.Errorf("artifact %s not in storage", ev.Digest)
	}
	src := filepath.Join(dir, files[0].Name())
	data, err := os.ReadFile(src)
	if err != nil {
		return "", ev, err
	}
	sum := sha256.Sum256(data)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != ev.Digest {
		return "", ev, fmt.Errorf("artifact in storage has digest %s, the event names %s", got, ev.Digest)
	}
	// "Deploy": the artifact goes into the environment's directory, written
	// to a temporary name and renamed, and the marker says what runs.
	if err := os.MkdirAll(a.envDir, 0o755); err != nil {
		return "", ev, err
	}
	if err := copyFile(filepath.Join(a.envDir, files[0].Name()), src); err != nil {
		return "", ev, err
	}
	marker := fmt.Sprintf("release=%s\ndigest=%s\nevent=%s\n", ev.Release, ev.Digest, manifest.Digest(se.Payload))
	if err := os.WriteFile(filepath.Join(a.envDir, "DEPLOYED"), []byte(marker), 0o644); err != nil {
		return "", ev, err
	}
	return fmt.Sprintf("deployed %s (%s)", files[0].Name(), ev.Digest), ev, nil
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
