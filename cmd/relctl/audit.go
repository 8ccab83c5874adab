package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// This file implements `relctl audit`: trail, bundle, verify-bundle,
// report and compare, on the audit package.

const auditUsage = `Usage:
  relctl audit trail (--release TAG | --digest sha256:HEX | --commit SHA | --ticket ID) [flags]
  relctl audit bundle --release TAG --out FILE [flags]
  relctl audit verify-bundle [--allowed-signers FILE | --keyring FILE] [--provenance-key FILE]... [--at RFC3339|now] [--json] BUNDLE
  relctl audit report --since DATE --until DATE [--format html|markdown|json] --out FILE [--incidents FILE] [flags]
  relctl audit compare --from TAG --to TAG [flags]

Answers an auditor's questions from the evidence releasekit leaves behind:
release records and the promotion log (--store), the code repository
(--repo), and the SBOMs and provenance the records name (--evidence).

  trail          the chain of evidence of a release, from tickets to production
                 promotions, with every gap and failed link
  bundle         one release's evidence as a self-contained bundle
  verify-bundle  check a bundle offline against trusted keys
  report         the release health report (delivery metrics, evidence, gaps) of a period
  compare        what changed from one release to another

Common flags (trail, bundle, report, compare):
  --store DIR | --git-store REPO      release records and promotion log (required)
  --repo DIR                          code repository (default: the repository here)
  --evidence DIR                      where record references such as dist/app.cdx.json
                                      resolve (default .)
  --allowed-signers FILE | --keyring FILE
                                      trusted keys: release tags (SSH namespace "git") and
                                      the log checkpoint (namespace ` + manifest.Namespace + `)
  --principal P                       with --allowed-signers, require this tag signer
  --provenance-key FILE               trusted PEM public key of provenance (repeatable)
  --checkpoint FILE [--checkpoint-sig FILE]
                                      signed log checkpoint (signature: default FILE.sig)
  --production ENV                    the production environment (default prod)
  --at RFC3339                        verification time (default now)
  --prefix v                          release tag prefix
  --json                              print JSON (trail, bundle, compare, verify-bundle;
                                      report: a summary)
Without keys nothing is verified: signatures are "recorded" or "not checked",
never passed.

` + auditExitHelp + `

Run 'relctl audit SUBCOMMAND --help' for its flags.

Examples:
  relctl audit trail --store evidence --release v1.4.2 --allowed-signers allowed_signers \
      --provenance-key provenance.pub --checkpoint log.checkpoint
  relctl audit trail --store evidence --commit 3f2a9c1 --json
  relctl audit trail --store evidence --ticket SHOP-42
  relctl audit bundle --store evidence --release v1.4.2 --out v1.4.2.bundle.tar.gz
  relctl audit verify-bundle --allowed-signers allowed_signers --provenance-key provenance.pub v1.4.2.bundle.tar.gz
  relctl audit report --store evidence --since 2026-01-01 --until 2026-02-01 --out health.html
  relctl audit compare --store evidence --from v1.4.1 --to v1.4.2
`

const auditExitHelp = `Exit codes: 0 ok; 1 a trail has gaps or failed links, a commit or ticket is
in no production release, a bundle fails verification or is not fully
checked, compare finds an artifact that does not match its record, or
evidence cannot be read; 2 bad usage or input: missing or conflicting flags,
unreadable input files, a bad date or time, an unknown release (no record in
the store). report exits 0 even when the report lists gaps, and prints their
count on stderr.`

// cmdAudit implements `relctl audit trail|bundle|verify-bundle|report|compare`.
func cmdAudit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return usagef("want a subcommand: trail, bundle, verify-bundle, report, compare")
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, auditUsage)
		return nil
	case "trail":
		return auditTrail(ctx, args[1:], stdout, stderr)
	case "bundle":
		return auditBundle(ctx, args[1:], stdout, stderr)
	case "verify-bundle":
		return auditVerifyBundle(ctx, args[1:], stdout, stderr)
	case "report":
		return auditReport(ctx, args[1:], stdout, stderr)
	case "compare":
		return auditCompare(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, auditUsage)
	return usagef("unknown audit subcommand %q: want trail, bundle, verify-bundle, report, compare", args[0])
}

// keyFlags are the trusted keys of the audit subcommands.
type keyFlags struct {
	allowed, keyring, principal *string
	provenance                  *[]string
}

func addKeyFlags(fs *flag.FlagSet) keyFlags {
	k := keyFlags{
		allowed:    fs.String("allowed-signers", "", "trust the SSH allowed_signers `FILE`: release tags in namespace \"git\", the log checkpoint in namespace "+manifest.Namespace),
		keyring:    fs.String("keyring", "", "trust the armored OpenPGP keys in `FILE` for release tags and the log checkpoint"),
		principal:  fs.String("principal", "", "with --allowed-signers, require this release tag signer `PRINCIPAL`"),
		provenance: new([]string),
	}
	fs.Func("provenance-key", "trust the PEM public key in `FILE` for provenance envelopes (repeatable)", func(s string) error {
		if s == "" {
			return errors.New("empty file name")
		}
		*k.provenance = append(*k.provenance, s)
		return nil
	})
	return k
}

// verifiers returns the tag, checkpoint and provenance verifiers the flags
// name; each is nil (empty) when no key was given for it.
func (k keyFlags) verifiers() (signature.Verifier, signature.Verifier, []signature.Verifier, error) {
	var (
		tv signature.Verifier
		cv signature.Verifier
		pv []signature.Verifier
	)
	if *k.principal != "" && *k.allowed == "" {
		return nil, nil, nil, usagef("--principal needs --allowed-signers")
	}
	if *k.allowed != "" || *k.keyring != "" {
		var err error
		if tv, err = trustedKeys(*k.keyring, *k.allowed, *k.principal, tagging.GitNamespace); err != nil {
			return nil, nil, nil, err
		}
		if cv, err = trustedKeys(*k.keyring, *k.allowed, "", manifest.Namespace); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, file := range *k.provenance {
		v, err := provenanceKey("--provenance-key", file)
		if err != nil {
			return nil, nil, nil, err
		}
		pv = append(pv, v)
	}
	return tv, cv, pv, nil
}

// verifiersOr is verifiers, or, when no key flag is given, the
// configuration's trusted keys: trust.tags, trust.checkpoints and
// trust.provenance.
func (k keyFlags) verifiersOr(cfg *config.Config) (signature.Verifier, signature.Verifier, []signature.Verifier, error) {
	if cfg == nil || *k.allowed != "" || *k.keyring != "" || len(*k.provenance) > 0 {
		return k.verifiers()
	}
	tv, err := keySetVerifier(cfg, cfg.Trust.Tags, tagging.GitNamespace)
	if err != nil {
		return nil, nil, nil, err
	}
	cv, err := keySetVerifier(cfg, cfg.Trust.Checkpoints, manifest.Namespace)
	if err != nil {
		return nil, nil, nil, err
	}
	var pv []signature.Verifier
	for _, file := range cfg.Trust.Provenance.Keys {
		v, err := provenanceKey("trust.provenance.keys", file)
		if err != nil {
			return nil, nil, nil, err
		}
		pv = append(pv, v)
	}
	return tv, cv, pv, nil
}

// auditFlags are the flags the audit subcommands that read a store share.
type auditFlags struct {
	store                     storeFlags
	keys                      keyFlags
	repo, evidence            *string
	checkpoint, checkpointSig *string
	production, at, prefix    *string
	config                    *string
}

func addAuditFlags(fs *flag.FlagSet) auditFlags {
	return auditFlags{
		store:         addStoreFlags(fs),
		keys:          addKeyFlags(fs),
		repo:          fs.String("repo", "", "code repository `DIR` holding the release tags (default: the repository here)"),
		evidence:      fs.String("evidence", ".", "`DIR` where the SBOM and provenance references of the records (dist/app.cdx.json) resolve"),
		checkpoint:    fs.String("checkpoint", "", "signed checkpoint `FILE` of the promotion log (relctl log verify --write-checkpoint, signed in namespace "+manifest.Namespace+"): proves the log was not cut"),
		checkpointSig: fs.String("checkpoint-sig", "", "signature `FILE` of the checkpoint (default: checkpoint FILE + .sig)"),
		production:    fs.String("production", "", "the production environment `ENV` (default: the configuration's first production environment, else prod)"),
		config:        addConfigFlag(fs),
		at:            fs.String("at", "", "verification `TIME` of signatures, RFC 3339 or \"now\" (default now)"),
		prefix:        fs.String("prefix", "v", "release tag `PREFIX` before the version"),
	}
}

// sources opens what the flags name. The caller calls done when finished.
func (a auditFlags) sources() (src audit.Sources, done func(), err error) {
	done = func() {}
	cfgDir := *a.repo
	if cfgDir == "" {
		cfgDir = "."
	}
	cfg, err := loadConfig(*a.config, cfgDir)
	if err != nil {
		return src, done, err
	}
	if src.Store, err = configStore(a.store, cfg); err != nil {
		return src, done, err
	}
	if src.TagVerifier, src.CheckpointVerifier, src.ProvenanceVerifiers, err = a.keys.verifiersOr(cfg); err != nil {
		return src, done, err
	}
	if src.At, err = parseAuditTime("--at", *a.at); err != nil {
		return src, done, err
	}
	src.Production = *a.production
	if cfg != nil {
		// The configured order: a promotion that skipped one of its
		// environments, or was decided under another order, fails.
		src.Order = cfg.Order()
		// Where the configuration requires a verified identity, an entry
		// made by a typed one is a gap.
		src.VerifiedIdentity = cfg.VerifiedIdentityEnvs()
		for _, e := range cfg.Environments {
			if e.Production && src.Production == "" {
				src.Production = e.Name
			}
		}
	}
	if src.Production == "" {
		src.Production = "prod"
	}
	src.Scheme = &semver.Scheme{Prefix: *a.prefix}
	if src.Checkpoint, src.CheckpointSig, err = readSignedCheckpoint(*a.checkpoint, *a.checkpointSig); err != nil {
		return src, done, err
	}
	if src.Repo, err = openAuditRepo(*a.repo); err != nil {
		return src, done, err
	}
	if *a.evidence == "" {
		return src, done, usagef("--evidence is empty")
	}
	root, err := os.OpenRoot(*a.evidence)
	if err != nil {
		return src, done, usageError{fmt.Errorf("--evidence %s: %w", *a.evidence, err)}
	}
	src.Evidence = root.FS()
	return src, func() { _ = root.Close() }, nil
}

// openAuditRepo opens dir, or the repository around the working directory
// (openRepo: never a demo repository; an audit of a made-up history
// answers nothing).
func openAuditRepo(dir string) (*git.Repository, error) {
	repo, _, err := openRepo(dir, io.Discard)
	return repo, err
}

// readSignedCheckpoint reads --checkpoint and its signature.
func readSignedCheckpoint(file, sigFile string) (data, sig []byte, err error) {
	if file == "" {
		if sigFile != "" {
			return nil, nil, usagef("--checkpoint-sig needs --checkpoint")
		}
		return nil, nil, nil
	}
	if data, err = readInput("--checkpoint", file, maxInputFile); err != nil {
		return nil, nil, err
	}
	if sigFile == "" {
		sigFile = file + ".sig"
		if _, err := os.Stat(sigFile); errors.Is(err, os.ErrNotExist) {
			return nil, nil, usagef("--checkpoint %s: no signature %s: give --checkpoint-sig FILE", file, sigFile)
		}
	}
	if sig, err = readInput("--checkpoint-sig", sigFile, maxInputFile); err != nil {
		return nil, nil, err
	}
	return data, sig, nil
}

// parseAuditTime reads an RFC 3339 time or "now"; "" is the zero time.
func parseAuditTime(name, s string) (time.Time, error) {
	switch s {
	case "":
		return time.Time{}, nil
	case "now":
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("%s %q: want RFC 3339 (2026-01-02T15:04:05Z) or now", name, s)
	}
	return t, nil
}

// parseDay reads a report bound: a date YYYY-MM-DD (midnight UTC) or an
// RFC 3339 time.
func parseDay(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, usagef("%s is required", name)
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("%s %q: want YYYY-MM-DD or RFC 3339", name, s)
}

// parseArgs parses flags and positional arguments in any order, as
// parseFlags does otherwise.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		// After "--" everything is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// auditErr maps the audit package's input errors to usage errors (exit 2).
func auditErr(err error) error {
	if errors.Is(err, audit.ErrUnknownRelease) || errors.Is(err, audit.ErrInvalidQuery) ||
		errors.Is(err, audit.ErrNoStore) || errors.Is(err, audit.ErrNoRepository) {
		return usageError{err}
	}
	return evidenceErr(err)
}

// knownRelease refuses, as bad input, a release the store has no record of.
func knownRelease(ctx context.Context, st manifest.Store, flagName, tag string) error {
	if tag == "" {
		return usagef("%s is required", flagName)
	}
	_, err := st.Record(ctx, tag)
	if errors.Is(err, manifest.ErrNotFound) {
		return usageError{fmt.Errorf("%s %s: %w: no release record in the store", flagName, tag, audit.ErrUnknownRelease)}
	}
	return evidenceErr(err)
}

// ticketTrail is the JSON of `relctl audit trail --ticket`: a TrailReport
// with the ticket as query and the commits that name it.
type ticketTrail struct {
	Query struct {
		Ticket string `json:"ticket"`
	} `json:"query"`
	At         time.Time            `json:"verified_at"`
	Commits    []string             `json:"commits"`
	Containing []audit.Containment  `json:"containing"`
	Releases   []audit.ReleaseTrail `json:"releases"`
}

// auditTrail implements `relctl audit trail`.
func auditTrail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit trail", stderr)
	af := addAuditFlags(fs)
	release := fs.String("release", "", "the release `TAG` (or version) whose trail to show")
	digest := fs.String("digest", "", "the releases whose records list the artifact `sha256:HEX`")
	commit := fs.String("commit", "", "the production releases that contain the commit `SHA` (directly, or by a cherry-pick -x backport or forward-port)")
	ticket := fs.String("ticket", "", "the production releases that contain a commit naming the ticket `ID` (or whose record lists it)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: relctl audit trail (--release TAG | --digest sha256:HEX | --commit SHA | --ticket ID) --store DIR [flags]
       relctl audit trail --store DIR [flags] QUERY   (sha256:… a digest, 7-64 hex digits a commit, else a release)

Reconstructs the chain of evidence of the releases the query selects: tickets,
pull requests and commits of the release's range, the signed tag, artifacts,
SBOM and provenance, the promotion log, every promotion with its gate report,
and rollbacks. Each link is verified, recorded (present, not checked: no key
given), a gap (missing) or failed (does not verify). Exit 1 when any link is a
gap or failed, or when a commit or ticket is in no production release; exit 2
for an unknown release.

Flags:`)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, `
Examples:
  relctl audit trail --store evidence --release v1.4.2 --allowed-signers allowed_signers \
      --provenance-key provenance.pub --checkpoint log.checkpoint --evidence dist
  relctl audit trail --store evidence --digest sha256:9f86d0… --json
  relctl audit trail --store evidence --commit 3f2a9c1
  relctl audit trail --store evidence --ticket SHOP-42`)
		fmt.Fprintln(stderr, ciHelp+"status (complete|gaps), gaps (links that are gaps or failed), releases.")
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return helpOK(err)
	}
	var q audit.Query
	n := 0
	for _, v := range []string{*release, *digest, *commit, *ticket} {
		if v != "" {
			n++
		}
	}
	switch {
	case len(pos) > 1:
		return usagef("unexpected argument %q", pos[1])
	case len(pos) == 1 && n > 0:
		return usagef("give the query as an argument or as a flag, not both")
	case len(pos) == 1:
		q = audit.ParseQuery(pos[0])
	case n == 0:
		return usagef("give one of --release, --digest, --commit and --ticket")
	case n > 1:
		return usagef("give only one of --release, --digest, --commit and --ticket")
	default:
		q = audit.Query{Release: *release, Digest: *digest, Commit: *commit}
	}
	src, done, err := af.sources()
	if err != nil {
		return err
	}
	defer done()

	var (
		rep   *audit.TrailReport
		print func() error
	)
	if *ticket != "" {
		lk, err := audit.LookupTicket(ctx, src, *ticket)
		if err != nil {
			return auditErr(err)
		}
		if len(lk.Releases) == 0 {
			if lk.Log.Err != nil {
				return fmt.Errorf("ticket %s is in no production release; the log: %s: %w", *ticket, lk.Log.Reason, lk.Log.Err)
			}
			return fmt.Errorf("ticket %s is in no production release", *ticket)
		}
		rep = &audit.TrailReport{At: src.At, Containing: lk.Releases}
		for _, c := range lk.Releases {
			tr, err := audit.Trail(ctx, src, audit.Query{Release: c.Release})
			if err != nil {
				return auditErr(err)
			}
			rep.At = tr.At
			rep.Releases = append(rep.Releases, tr.Releases...)
		}
		print = func() error {
			if *af.store.json {
				out := ticketTrail{At: rep.At, Commits: nonNil(lk.Commits), Containing: lk.Releases, Releases: nonNil(rep.Releases)}
				out.Query.Ticket = *ticket
				return writeJSON(stdout, out)
			}
			if err := lk.WriteText(stdout); err != nil {
				return err
			}
			fmt.Fprintln(stdout)
			return (&audit.TrailReport{Releases: rep.Releases}).WriteText(stdout)
		}
	} else {
		if rep, err = audit.Trail(ctx, src, q); err != nil {
			return auditErr(err)
		}
		print = func() error {
			if *af.store.json {
				if rep.Releases == nil {
					rep.Releases = []audit.ReleaseTrail{}
				}
				return writeJSON(stdout, rep)
			}
			return rep.WriteText(stdout)
		}
	}
	if err := print(); err != nil {
		return err
	}

	var tags []string
	bad, failed := 0, 0
	var first string
	for _, t := range rep.Releases {
		tags = append(tags, t.Release)
		for _, l := range t.Links {
			if l.Status == audit.Gap || l.Status == audit.Failed {
				bad++
				if l.Status == audit.Failed {
					failed++
				}
				if first == "" {
					first = fmt.Sprintf("%s %s %s %s: %s", t.Release, l.Status, l.Step, l.ID, l.Reason)
				}
			}
		}
	}
	ci := ciFrom(ctx)
	status := "complete"
	if rep.Err() != nil {
		status = "gaps"
	}
	ci.set("status", status)
	ci.set("gaps", strconv.Itoa(bad))
	ci.set("releases", strings.Join(tags, ","))
	if rep.Err() == nil {
		return nil
	}
	msg := fmt.Sprintf("audit trail incomplete: %d gaps or failed links (%d failed); first: %s", bad, failed, first)
	ci.fail(msg)
	fmt.Fprintln(stderr, "relctl:", msg)
	return errSilent
}

// bundleResult is the JSON of `relctl audit bundle`.
type bundleResult struct {
	Release string `json:"release"`
	Path    string `json:"path"`
	Format  string `json:"format"` // "tar.gz" or "dir"
	Files   int    `json:"files"`
	SHA256  string `json:"sha256"` // of the tar.gz form, also for "dir"
}

// auditBundle implements `relctl audit bundle`.
func auditBundle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit bundle", stderr)
	af := addAuditFlags(fs)
	fs.Lookup("at").Usage = "record the tag's verification at `TIME`, RFC 3339 or \"now\", and TIME in the index (default: none, for reproducible bytes)"
	release := fs.String("release", "", "the release `TAG` to bundle (required)")
	out := fs.String("out", "", "write the bundle to `FILE` (required): a tar.gz, or a directory (see above); - for stdout")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: relctl audit bundle --release TAG --out FILE --store DIR [flags]

Collects one release's evidence into a self-contained bundle: index.json,
the record, the raw signed tag object (and its verification at --at), the SBOM
and provenance, the promotion log up to the release's last entry (or the
checkpoint), the signed checkpoint, and the gate reports and manifests of its
promotions. It collects and does not judge: check the result with
relctl audit verify-bundle.

--out FILE writes a gzip-compressed tar archive, atomically, unless FILE ends
with "/" (then the bundle is written as that new directory) or is an existing
directory (then as the new directory FILE/TAG, "/" in TAG replaced by "-").
A directory must not exist yet. "-" writes the tar.gz to stdout.

The bytes depend only on the evidence: building the same release again, at
any time, gives the same bytes. A verification is a report, made at some
time, not content: by default the bundle records none, and verify-bundle
checks every signature with the auditor's keys at the time it is given (now
by default). --at TIME (or now) also records the tag's verification at TIME
and TIME itself in the bundle, which verify-bundle then uses by default; the
bytes then depend on TIME.

Flags:`)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, `
Examples:
  relctl audit bundle --store evidence --release v1.4.2 --evidence dist \
      --allowed-signers allowed_signers --checkpoint log.checkpoint --out v1.4.2.bundle.tar.gz
  relctl audit bundle --store evidence --release v1.4.2 --at 2026-02-01T00:00:00Z --out bundles/`)
		fmt.Fprintln(stderr, ciHelp+"bundle (the path written), sha256 (of the tar.gz form, hex), release, files.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *release == "" || *out == "" {
		return usagef("--release and --out are required")
	}
	src, done, err := af.sources()
	if err != nil {
		return err
	}
	defer done()
	if err := knownRelease(ctx, src.Store, "--release", *release); err != nil {
		return err
	}
	b, err := bundle.Build(ctx, src, *release)
	if err != nil {
		return auditErr(err)
	}
	var tgz bytes.Buffer
	if err := b.WriteTarGz(&tgz); err != nil {
		return err
	}
	sum := sha256.Sum256(tgz.Bytes())
	res := bundleResult{Release: *release, Path: *out, Format: "tar.gz", Files: len(b.Names()), SHA256: hex.EncodeToString(sum[:])}
	switch fi, serr := os.Stat(*out); {
	case *out == "-":
		if _, err := stdout.Write(tgz.Bytes()); err != nil {
			return err
		}
	case serr == nil && fi.IsDir():
		res.Path, res.Format = filepath.Join(*out, strings.ReplaceAll(*release, "/", "-")), "dir"
	case strings.HasSuffix(*out, "/") || strings.HasSuffix(*out, string(os.PathSeparator)):
		res.Path, res.Format = filepath.Clean(*out), "dir"
	default:
		if err := writeFileAtomic(*out, tgz.Bytes()); err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
	}
	if res.Format == "dir" {
		if err := b.WriteDir(res.Path); err != nil {
			if errors.Is(err, os.ErrExist) {
				return usageError{fmt.Errorf("--out: %s exists", res.Path)}
			}
			return fmt.Errorf("write bundle: %w", err)
		}
	}
	ci := ciFrom(ctx)
	ci.set("bundle", res.Path)
	ci.set("sha256", res.SHA256)
	ci.set("release", res.Release)
	ci.set("files", strconv.Itoa(res.Files))
	switch {
	case *out == "-":
		return nil
	case *af.store.json:
		return writeJSON(stdout, res)
	}
	_, err = fmt.Fprintf(stdout, "bundle %s: %d files (%s), sha256 %s, written to %s\n", res.Release, res.Files, res.Format, res.SHA256, res.Path)
	return err
}

// readBundleArg reads the bundle at path: a directory, or a tar.gz file.
func readBundleArg(path string) (*bundle.Bundle, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, usageError{err}
	}
	if fi.IsDir() {
		root, err := os.OpenRoot(path)
		if err != nil {
			return nil, usageError{err}
		}
		defer root.Close()
		return bundle.ReadDir(root.FS())
	}
	f, err := openInput("", path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return bundle.Read(f)
}

// verifyBundleResult is the JSON of `relctl audit verify-bundle`: the
// report with its verdict.
type verifyBundleResult struct {
	Result string `json:"result"` // pass or fail
	Status string `json:"status"` // pass, fail or not-checked
	Error  string `json:"error,omitempty"`
	*bundle.Report
}

// auditVerifyBundle implements `relctl audit verify-bundle`.
func auditVerifyBundle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify-bundle", stderr)
	kf := addKeyFlags(fs)
	atFlag := fs.String("at", "", "verify signatures at `TIME`, RFC 3339 or \"now\" (default: the time the bundle records, when it was built with --at; else now)")
	cfgFlag := addConfigFlag(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: relctl audit verify-bundle [--allowed-signers FILE | --keyring FILE] [--provenance-key FILE]... [--at TIME] [--json] BUNDLE

Checks an evidence bundle offline, with only the keys given here (never a key
found in the bundle): BUNDLE is a .tar.gz/.tgz file (relctl audit bundle) or a
bundle directory. Every check is listed: the index and the files it lists,
the record, the tag object and its signature, the SBOM, the provenance and
its signature, the log's hash chain, the signed checkpoint, the promotions
and their gate reports. A check that needs a key not given is "not-checked",
never passed.

Exit 0 only when every check passed; 1 when one failed, when one could not be
made (not checked), or when the archive is refused (not a bundle, unsafe
entries); 2 when BUNDLE cannot be read.

Flags:`)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, `
Examples:
  relctl audit verify-bundle --allowed-signers allowed_signers --provenance-key provenance.pub v1.4.2.bundle.tar.gz
  relctl audit verify-bundle --keyring release-keys.asc --at now --json bundles/v1.4.2`)
		fmt.Fprintln(stderr, ciHelp+"result (pass|fail; not-checked counts as fail), status (pass|fail|not-checked), release.")
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return helpOK(err)
	}
	if len(pos) != 1 {
		return usagef("give one BUNDLE (a .tar.gz file or a directory)")
	}
	var keys bundle.Keys
	cfg, err := loadConfig(*cfgFlag, ".")
	if err != nil {
		return err
	}
	if keys.Tag, keys.Checkpoint, keys.Provenance, err = kf.verifiersOr(cfg); err != nil {
		return err
	}
	if cfg != nil {
		keys.Order = cfg.Order()
	}
	if keys.At, err = parseAuditTime("--at", *atFlag); err != nil {
		return err
	}
	ci := ciFrom(ctx)
	b, err := readBundleArg(pos[0])
	var fe *bundle.FormatError
	if errors.As(err, &fe) {
		ci.set("result", "fail")
		ci.set("status", bundle.StatusText(audit.Failed))
		return fmt.Errorf("bundle %s refused: %w", pos[0], err)
	}
	if err != nil {
		return err
	}
	if keys.At.IsZero() {
		// A bundle built without --at records no verification time: the
		// signatures are verified now, and the report says when.
		if idx, err := b.Index(); err == nil && idx.VerifiedAt.IsZero() {
			keys.At = time.Now().UTC()
		}
	}
	rep, verr := bundle.Verify(ctx, b, keys)
	if rep == nil {
		return verr
	}
	res := verifyBundleResult{Result: "fail", Status: bundle.StatusText(rep.Status()), Report: rep}
	if rep.Status() == audit.Verified {
		res.Result = "pass"
	}
	if verr != nil {
		res.Error = verr.Error()
	}
	ci.set("result", res.Result)
	ci.set("status", res.Status)
	ci.set("release", rep.Release)
	if *asJSON {
		if rep.Checks == nil {
			rep.Checks = []bundle.Check{}
		}
		if err := writeJSON(stdout, res); err != nil {
			return err
		}
	} else if err := writeBundleReport(stdout, rep); err != nil {
		return err
	}
	if verr == nil {
		return nil
	}
	var msg string
	if rep.Status() == audit.Failed {
		msg = fmt.Sprintf("bundle %s fails verification: %s", pos[0], oneLine(verr))
	} else {
		msg = fmt.Sprintf("bundle %s is not fully checked: %s", pos[0], oneLine(verr))
	}
	ci.fail(msg)
	fmt.Fprintln(stderr, "relctl:", msg)
	return errSilent
}

// oneLine joins the lines of a joined error with "; ".
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// writeBundleReport writes a bundle report for people: one line per check
// and the verdict.
func writeBundleReport(w io.Writer, r *bundle.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "bundle %s (commit %s, tag object %s), signatures verified at %s\n",
		orNone(r.Release), orNone(r.Commit), orNone(r.TagObject), r.At.UTC().Format(time.RFC3339))
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %-12s %-14s %s\n", bundle.StatusText(c.Status), c.Name, c.Detail)
	}
	fmt.Fprintf(&b, "result: %s\n", bundle.StatusText(r.Status()))
	_, err := io.WriteString(w, b.String())
	return err
}

// reportSummary is the --json output of `relctl audit report`.
type reportSummary struct {
	Report   string    `json:"report"`
	Format   string    `json:"format"`
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
	Releases int       `json:"releases"`
	Gaps     int       `json:"gaps"`
}

// auditReport implements `relctl audit report`.
func auditReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit report", stderr)
	af := addAuditFlags(fs)
	sinceFlag := fs.String("since", "", "start of the period (inclusive): `DATE` YYYY-MM-DD (midnight UTC) or RFC 3339 (required)")
	untilFlag := fs.String("until", "", "end of the period (exclusive): `DATE` YYYY-MM-DD (midnight UTC) or RFC 3339 (required)")
	format := fs.String("format", "html", "report `FORMAT`: html, markdown or json")
	out := fs.String("out", "", "write the report to `FILE` (required; - for stdout)")
	incidents := fs.String("incidents", "", "production incidents from your incident tool: a JSON list `FILE` of {\"id\",\"release\",\"opened\",\"resolved\"}")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: relctl audit report --since DATE --until DATE [--format html|markdown|json] --out FILE --store DIR [flags]

Writes the release health report of the period [--since, --until): the
delivery metrics (lead time, deployment frequency, change failure rate, time
to restore) with their weekly trend, the releases deployed to production and
the state of their evidence, emergency changes, exceptions, rollbacks and
gaps. --until is exclusive: --since 2026-01-01 --until 2026-02-01 is January.
HTML is one self-contained page (inline CSS and SVG, no script). The report
is dated --at (default now).

Exit 0 even when the report lists gaps; their count is printed on stderr.

Flags:`)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, `
Examples:
  relctl audit report --store evidence --since 2026-01-01 --until 2026-02-01 --out health.html \
      --allowed-signers allowed_signers --provenance-key provenance.pub --checkpoint log.checkpoint
  relctl audit report --store evidence --since 2026-01-01 --until 2026-02-01 --format markdown --out - >> "$GITHUB_STEP_SUMMARY"`)
		fmt.Fprintln(stderr, ciHelp+"report (the path written), gaps, releases.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	since, err := parseDay("--since", *sinceFlag)
	if err != nil {
		return err
	}
	until, err := parseDay("--until", *untilFlag)
	if err != nil {
		return err
	}
	if !since.Before(until) {
		return usagef("--since %s is not before --until %s", *sinceFlag, *untilFlag)
	}
	if *out == "" {
		return usagef("--out is required (- for stdout)")
	}
	write := map[string]func(*metrics.HealthReport, io.Writer) error{
		"html":     (*metrics.HealthReport).WriteHTML,
		"markdown": (*metrics.HealthReport).WriteMarkdown,
		"json":     (*metrics.HealthReport).WriteJSON,
	}[*format]
	if write == nil {
		return usagef("--format %q: want html, markdown or json", *format)
	}
	var incs []metrics.Incident
	if *incidents != "" {
		data, err := readInput("--incidents", *incidents, maxInputFile)
		if err != nil {
			return err
		}
		if err := strictjson.Unmarshal(data, &incs, strictjson.Options{}); err != nil {
			return usagef("--incidents %s: %v", *incidents, err)
		}
	}
	src, done, err := af.sources()
	if err != nil {
		return err
	}
	defer done()
	generated := src.At
	if generated.IsZero() {
		generated = time.Now().UTC()
		src.At = generated
	}
	h, err := metrics.Collect(ctx, src)
	if err != nil {
		return auditErr(err)
	}
	rep := metrics.BuildReport(h, since, until, incs, generated)
	var buf bytes.Buffer
	if err := write(rep, &buf); err != nil {
		return err
	}
	if *out == "-" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return err
		}
	} else if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	sum := reportSummary{Report: *out, Format: *format, Since: since, Until: until, Releases: len(rep.Releases), Gaps: len(rep.Gaps)}
	ci := ciFrom(ctx)
	ci.set("report", sum.Report)
	ci.set("gaps", strconv.Itoa(sum.Gaps))
	ci.set("releases", strconv.Itoa(sum.Releases))
	if sum.Gaps > 0 {
		fmt.Fprintf(stderr, "relctl: the report lists %d gaps\n", sum.Gaps)
	}
	switch {
	case *out == "-":
		return nil
	case *af.store.json:
		return writeJSON(stdout, sum)
	}
	_, err = fmt.Fprintf(stdout, "wrote %s report %s: %d releases deployed to %s, %d gaps\n", sum.Format, sum.Report, sum.Releases, src.Production, sum.Gaps)
	return err
}

// auditCompare implements `relctl audit compare`.
func auditCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit compare", stderr)
	af := addAuditFlags(fs)
	from := fs.String("from", "", "the earlier release `TAG` (required)")
	to := fs.String("to", "", "the later release `TAG` (required)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: relctl audit compare --from TAG --to TAG --store DIR [flags]

Shows what changed from one release to another: the commits with their
tickets and pull requests, the later release's promotions, and each
artifact's digests and, for archives found in --evidence (at their URI or at
TAG/NAME), the files added, removed and changed. Exit 1 when an artifact does
not match its recorded digest or cannot be read.

Flags:`)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, `
Example:
  relctl audit compare --store evidence --evidence dist --from v1.4.1 --to v1.4.2 --json`)
		fmt.Fprintln(stderr, ciHelp+"from, to, commits, tickets (comma-separated).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required")
	}
	src, done, err := af.sources()
	if err != nil {
		return err
	}
	defer done()
	c, err := audit.Compare(ctx, src, *from, *to)
	if err != nil {
		return auditErr(err)
	}
	if *af.store.json {
		err = writeJSON(stdout, c)
	} else {
		err = c.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	ci := ciFrom(ctx)
	ci.set("from", c.From)
	ci.set("to", c.To)
	ci.set("commits", strconv.Itoa(len(c.Commits)))
	ci.set("tickets", strings.Join(c.Tickets, ","))
	var errs []error
	for _, a := range c.Artifacts {
		if a.Err != nil {
			errs = append(errs, fmt.Errorf("artifact %s: %w", a.Name, a.Err))
		}
	}
	return errors.Join(errs...)
}
