package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
)

// cmdRollback implements `relctl rollback`.
func cmdRollback(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("rollback", stderr)
	sf := addStoreFlags(fs)
	env := fs.String("env", "", "environment `ENV` to roll back (required)")
	approver := fs.String("approver", "", "approver identity `ID` (required)")
	reason := fs.String("reason", "", "the rationale `TEXT` (required)")
	pf := addPromotionFlags(fs, true)
	manifestFile := fs.String("manifest", "", "roll back from the multi-repo manifest in `FILE`, which ENV must run now, to the previous manifest ENV ran")
	gf := addGateFlags(fs)
	mechanism := fs.String("mechanism", "", "how the rollback is carried out: `M` redeploy (the default), feature-flag, config or hotfix; recorded in the log")
	acrossMigration := fs.String("across-migration", "", "why rolling back across a release with an irreversible migration is safe (`TEXT`, recorded); without it such a rollback is refused")
	emergency := fs.String("emergency", "", "emergency-change record `FILE` of a rollback outside the change window (JSON: id, reason, scope, approver, rollback_plan, follow_up)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl rollback --store DIR --env ENV --releaser ID --approver ID --reason TEXT [--manifest FILE] [--emergency FILE]\n                       [--config FILE] [--keyring FILE | --allowed-signers FILE] [--policy FILE] [--pr FILE]\n\nRedeploys the last known-good release's published digest (never a rebuild);\nwith --manifest, the last known-good manifest's. A rollback of production\nverifies the known-good release's tag against the configured trust and\nneeds a releaser allowed to roll back there and an authorised approver.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, ciHelp+"release, env, digest (RELCTL_RELEASE=v1.4.1 ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *env == "" {
		return usagef("--env is required")
	}
	em, err := readEmergency(*emergency)
	if err != nil {
		return err
	}
	action := manifest.AttemptRollback
	if *manifestFile != "" {
		action = manifest.AttemptRollbackManifest
	}
	attempt := manifest.Denial{Action: action, Env: *env, Approver: *approver, Reason: *reason}
	st, opts, _, actor, err := pf.prepare(ctx, sf, gf, attempt, tagging.GitNamespace, *manifestFile == "", stderr)
	if err != nil {
		return err
	}
	req := manifest.RollbackRequest{Env: *env, Releaser: *pf.releaser, Actor: actor, Approver: *approver, Reason: *reason, Emergency: em,
		Mechanism: *mechanism, AcrossMigration: *acrossMigration}
	var e manifest.Entry
	if *manifestFile != "" {
		e, err = rollbackManifest(ctx, st, *manifestFile, req, opts...)
		if errors.Is(err, errNotRunning) {
			attempt.Actor, attempt.Config = actor, *pf.configDigest
			err = logRefusal(ctx, st, attempt, err)
		}
	} else {
		e, err = manifest.Rollback(ctx, st, req, opts...)
	}
	if err != nil {
		return evidenceErr(err)
	}
	return printPromotion(ctx, stdout, e, *sf.json)
}

// errNotRunning refuses a manifest rollback when the environment does not
// run the manifest named.
var errNotRunning = errors.New("relctl: the environment does not run that manifest")

// rollbackManifest implements `relctl rollback --manifest`: it checks that
// env runs the manifest in file and rolls back from it.
func rollbackManifest(ctx context.Context, st manifest.Store, file string, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	m, d, err := readManifestFile(file)
	if err != nil {
		return manifest.Entry{}, err
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		return manifest.Entry{}, err
	}
	// With nothing promoted to env, RollbackManifest says why (an unknown
	// environment, or no known-good manifest).
	if cur, ok := manifest.Current(entries, req.Env); ok && (cur.Manifest == nil || cur.Digest != d) {
		return manifest.Entry{}, fmt.Errorf("%w: %s runs %s %s, not manifest %s %s", errNotRunning, req.Env, cur.Release, cur.Digest, m.Name, d)
	}
	return manifest.RollbackManifest(ctx, st, req, opts...)
}
