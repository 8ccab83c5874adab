package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// cmdPromote implements `relctl promote`.
func cmdPromote(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("promote", stderr)
	sf := addStoreFlags(fs)
	release := fs.String("release", "", "release `TAG` (required)")
	env := fs.String("env", "", "target environment `ENV` (required)")
	digest := fs.String("digest", "", "the artifact `sha256:HEX` digest to promote (required)")
	approver := fs.String("approver", "", "approver identity `ID`")
	reason := fs.String("reason", "", "the approval rationale `TEXT`")
	emergency := fs.String("emergency", "", "emergency-change record `FILE` (JSON: id, reason, scope, approver, rollback_plan, follow_up)")
	pf := addPromotionFlags(fs, true)
	manifestFile := fs.String("manifest", "", "promote the signed multi-repo manifest in `FILE` instead of a record (--keyring or --allowed-signers then verify its signature)")
	sigFile := fs.String("sig", "", "with --manifest, the manifest's signature `FILE` (default: manifest FILE + .sig)")
	gf := addGateFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl promote --store DIR --release TAG --env ENV --digest D --releaser ID --approver ID --reason TEXT [--emergency FILE]\n                      [--config FILE] [--keyring FILE | --allowed-signers FILE] [--policy FILE] [--pr FILE]\n       relctl promote --store DIR --manifest FILE [--sig FILE] [--digest D] --env ENV --releaser ID --approver ID --reason TEXT [--emergency FILE]\n\nPromotes the exact artifact digest (or, with --manifest, the manifest's\ncontent digest) to the next environment of the release configuration\n(.releasekit.yaml, or --config FILE) and logs it. Refused (exit 1) on\nrebuild drift, a skipped environment, an incomplete record, a tag or\nmanifest signature that does not verify, or a missing approval. A\npromotion into production is refused unless the release tag verifies\nagainst the configured trust (trust.tags) and points to the record's\ncommit, the releaser and the approver are authorised there, and the\nconfigured controls pass; without a configuration it is refused.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, ciHelp+"release, env, digest (RELCTL_ENV=prod ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *manifestFile == "" && *sigFile != "" {
		return usagef("--sig needs --manifest")
	}
	if *manifestFile == "" && (*release == "" || *env == "" || *digest == "") {
		return usagef("--release, --env and --digest are required")
	}
	if *manifestFile != "" && *env == "" {
		return usagef("--env is required")
	}
	if *manifestFile != "" && *pf.repo != "" {
		return usagef("--repo verifies a release tag; with --manifest the manifest's signature is verified")
	}
	em, err := readEmergency(*emergency)
	if err != nil {
		return err
	}
	ns := tagging.GitNamespace
	if *manifestFile != "" {
		ns = manifest.Namespace
	}
	action := manifest.AttemptPromote
	if *manifestFile != "" {
		action = manifest.AttemptPromoteManifest
	}
	attempt := manifest.Denial{Action: action, Release: *release, Env: *env, Digest: *digest, Approver: *approver, Reason: *reason}
	st, opts, v, actor, err := pf.prepare(ctx, sf, gf, attempt, ns, *manifestFile == "", stderr)
	if err != nil {
		return err
	}
	if *manifestFile != "" {
		return promoteManifest(ctx, st, manifestRequest{
			file: *manifestFile, sig: *sigFile, release: *release, digest: *digest, verifier: v,
			req: manifest.ManifestRequest{Env: *env, Releaser: *pf.releaser, Actor: actor, Approver: *approver, Reason: *reason, Emergency: em},
		}, opts, stdout, *sf.json)
	}
	req := manifest.PromoteRequest{Release: *release, Env: *env, Digest: *digest, Releaser: *pf.releaser, Actor: actor, Approver: *approver, Reason: *reason, Emergency: em}
	e, err := manifest.Promote(ctx, st, req, opts...)
	if err != nil {
		return unsafeHint(evidenceErr(err))
	}
	return printPromotion(ctx, stdout, e, *sf.json)
}

// manifestRequest is `relctl promote --manifest`'s input.
type manifestRequest struct {
	file, sig, release, digest string
	verifier                   signature.Verifier       // the trusted keys, or nil
	req                        manifest.ManifestRequest // Env, Approver, Reason, Emergency
}

// promoteManifest implements `relctl promote --manifest`.
func promoteManifest(ctx context.Context, st manifest.Store, mr manifestRequest, opts []manifest.Option, stdout io.Writer, asJSON bool) error {
	m, d, err := readManifestFile(mr.file)
	if err != nil {
		return err
	}
	if mr.release != "" && mr.release != m.Name {
		return usagef("--release %s: the manifest in %s is %s", mr.release, mr.file, m.Name)
	}
	req := mr.req
	req.Manifest, req.Digest = m, d
	if mr.digest != "" {
		req.Digest = mr.digest // PromoteManifest refuses a manifest that does not hash to it
	}
	sigPath := mr.sig
	if sigPath == "" {
		sigPath = mr.file + ".sig"
	}
	if mr.verifier != nil {
		var err error
		if req.Signature, err = readInput("--sig", sigPath, maxInputFile); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			// No signature: an attempt to promote an unsigned manifest,
			// which PromoteManifest refuses and logs.
			req.Signature = nil
		}
		opts = append(opts, manifest.WithManifestVerifier(mr.verifier))
	}
	e, err := manifest.PromoteManifest(ctx, st, req, opts...)
	if err != nil {
		return unsafeHint(evidenceErr(err))
	}
	return printPromotion(ctx, stdout, e, asJSON)
}
