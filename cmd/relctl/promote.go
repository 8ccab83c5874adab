package main

import (
	"context"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/manifest"
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
	keyring := fs.String("keyring", "", "verify the release tag against the OpenPGP keys in `FILE`")
	allowed := fs.String("allowed-signers", "", "verify the release tag against the SSH allowed_signers `FILE`")
	repoDir := fs.String("repo", "", "repository `DIR` holding the release tag (with --keyring or --allowed-signers)")
	order := fs.String("order", "dev,staging,prod", "promotion `ORDER` of environments, comma-separated")
	manifestFile := fs.String("manifest", "", "promote the signed multi-repo manifest in `FILE` instead of a record (--keyring or --allowed-signers then verify its signature)")
	sigFile := fs.String("sig", "", "with --manifest, the manifest's signature `FILE` (default: manifest FILE + .sig)")
	gf := addGateFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl promote --store DIR --release TAG --env ENV --digest D --approver ID --reason TEXT [--emergency FILE] [--keyring FILE | --allowed-signers FILE]\n                      [--policy FILE [--pr FILE] [--releaser ID]]\n       relctl promote --store DIR --manifest FILE [--sig FILE] [--digest D] --env ENV --approver ID --reason TEXT [--emergency FILE] [--keyring FILE | --allowed-signers FILE]\n\nPromotes the exact artifact digest (or, with --manifest, the manifest's\ncontent digest) to the next environment and logs it. Refused (exit 1) on\nrebuild drift, a skipped environment, an incomplete record, a tag or\nmanifest signature that does not verify, or a missing approval.\n\nFlags:")
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
	if *manifestFile != "" && *repoDir != "" {
		return usagef("--repo verifies a release tag; with --manifest the manifest's signature is verified")
	}
	st, err := sf.open()
	if err != nil {
		return err
	}
	opts, err := gf.options(*order)
	if err != nil {
		return err
	}
	em, err := readEmergency(*emergency)
	if err != nil {
		return err
	}
	if *manifestFile != "" {
		return promoteManifest(ctx, st, manifestRequest{
			file: *manifestFile, sig: *sigFile, release: *release, digest: *digest,
			keyring: *keyring, allowed: *allowed,
			req: manifest.ManifestRequest{Env: *env, Approver: *approver, Reason: *reason, Emergency: em},
		}, opts, stdout, *sf.json)
	}
	req := manifest.PromoteRequest{Release: *release, Env: *env, Digest: *digest, Approver: *approver, Reason: *reason, Emergency: em}
	if *keyring != "" || *allowed != "" {
		tv, err := trustedKeys(*keyring, *allowed, "", tagging.GitNamespace)
		if err != nil {
			return err
		}
		repo, demo, err := openRepo(*repoDir, stderr)
		if err != nil {
			return err
		}
		defer demo.remove()
		opts = append(opts, manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, tv)))
	}
	e, err := manifest.Promote(ctx, st, req, opts...)
	if err != nil {
		return evidenceErr(err)
	}
	return printPromotion(ctx, stdout, e, *sf.json)
}

// manifestRequest is `relctl promote --manifest`'s input.
type manifestRequest struct {
	file, sig, release, digest string
	keyring, allowed           string
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
	if mr.keyring != "" || mr.allowed != "" {
		v, err := trustedKeys(mr.keyring, mr.allowed, "", manifest.Namespace)
		if err != nil {
			return err
		}
		if req.Signature, err = readSmallFile(sigPath); err != nil {
			return err
		}
		opts = append(opts, manifest.WithManifestVerifier(v))
	}
	e, err := manifest.PromoteManifest(ctx, st, req, opts...)
	if err != nil {
		return evidenceErr(err)
	}
	return printPromotion(ctx, stdout, e, asJSON)
}
