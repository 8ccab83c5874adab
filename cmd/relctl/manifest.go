package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// This file implements the release-evidence subcommands: record, manifest,
// promote, rollback and `log verify` (cmdAuditLog).

// storeFlags are the flags every evidence subcommand shares.
type storeFlags struct {
	dir     *string
	gitRepo *string
	json    *bool
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		dir:     fs.String("store", "", "evidence store `DIR` (directory store)"),
		gitRepo: fs.String("git-store", "", "keep the evidence in the git repository `REPO` under refs/releasekit/log"),
		json:    fs.Bool("json", false, "print JSON"),
	}
}

func (s storeFlags) open() (manifest.Store, error) {
	switch {
	case *s.dir != "" && *s.gitRepo != "":
		return nil, usagef("give only one of --store and --git-store")
	case *s.dir != "":
		return manifest.NewDirStore(*s.dir)
	case *s.gitRepo != "":
		return openGitStore(*s.gitRepo)
	}
	return nil, usagef("--store DIR or --git-store REPO is required")
}

// evidenceErr maps the package's input errors to usage errors (exit 2) and
// leaves refusals (exit 1) as they are.
func evidenceErr(err error) error {
	if errors.Is(err, manifest.ErrInvalidDigest) || errors.Is(err, manifest.ErrInvalidName) ||
		errors.Is(err, manifest.ErrUnknownEnv) || errors.Is(err, manifest.ErrInvalidRecord) ||
		errors.Is(err, manifest.ErrInvalidManifest) {
		return usageError{err}
	}
	return err
}

func subcommand(args []string, names ...string) (string, []string, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		return "", nil, subcommandHelp{names}
	}
	if len(args) == 0 || !slices.Contains(names, args[0]) {
		return "", nil, usagef("want a subcommand: %s", strings.Join(names, ", "))
	}
	return args[0], args[1:], nil
}

func readSmallFile(path string) ([]byte, error) {
	return readTagInput(path)
}

// cmdRecord implements `relctl record init|add-artifact|attach-sbom|set|check|show`.
func cmdRecord(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "init", "add-artifact", "attach-sbom", "set", "check", "show")
	if err != nil {
		return err
	}
	fs := newFlags("record "+sub, stderr)
	sf := addStoreFlags(fs)
	release := fs.String("release", "", "release `TAG` (required)")
	var (
		repoDir, rev, prefix         *string
		name, file, digest, uri, art *string
		sbomFile                     *string
	)
	switch sub {
	case "init":
		repoDir = fs.String("repo", "", "repository `DIR` (default: the repository here)")
		rev = fs.String("rev", "", "the released `REV`ision (default: the release tag)")
		prefix = fs.String("prefix", "v", "tag scheme `PREFIX` used to find the previous release")
	case "add-artifact":
		name = fs.String("name", "", "artifact `NAME` (required)")
		file = fs.String("file", "", "compute the digests of `FILE`")
		digest = fs.String("digest", "", "the artifact's `sha256:HEX` digest")
		uri = fs.String("uri", "", "where the artifact is published (`URI`)")
	case "attach-sbom":
		art = fs.String("artifact", "", "artifact `NAME` (required)")
		sbomFile = fs.String("sbom", "", "SBOM `FILE` (required)")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: relctl record %s --store DIR --release TAG [flags]%s\n\nFlags:\n", sub, map[string]string{"set": " KEY=VALUE..."}[sub])
		fs.PrintDefaults()
		if sub == "set" {
			fmt.Fprintln(stderr, "\nKeys: commit, tickets, prs, backport (PR=ORIGINAL_PR@SHA), provenance.build_id, provenance.ref,\nsbom.ref, sbom.digest, check.NAME (pass|fail), rollback.method, rollback.version,\nrollback.digest, known_issue (appends; \"none\" for none), window.start, window.end (RFC 3339),\nextra.KEY. Lists (tickets, prs) are comma-separated and replace the old value.")
		}
	}
	if sub == "set" {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return usageError{err}
		}
	} else if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *release == "" {
		return usagef("--release is required")
	}
	st, err := sf.open()
	if err != nil {
		return err
	}
	var rec manifest.Record
	if sub != "init" {
		if rec, err = st.Record(ctx, *release); err != nil {
			return evidenceErr(err)
		}
	}
	switch sub {
	case "init":
		if _, err := st.Record(ctx, *release); err == nil {
			return fmt.Errorf("record %s exists", *release)
		} else if !errors.Is(err, manifest.ErrNotFound) {
			return evidenceErr(err)
		}
		rec, err = initRecord(ctx, *release, *repoDir, *rev, *prefix, stderr)
		if err != nil {
			return err
		}
	case "add-artifact":
		if *name == "" || (*file == "") == (*digest == "") {
			return usagef("give --name and exactly one of --file and --digest")
		}
		a := manifest.Artifact{Name: *name, URI: *uri, Digest: *digest}
		if *file != "" {
			data, err := os.ReadFile(*file)
			if err != nil {
				return usageError{err}
			}
			s256, s512 := sha256.Sum256(data), sha512.Sum512(data)
			a.Digest, a.SHA512 = "sha256:"+hex.EncodeToString(s256[:]), "sha512:"+hex.EncodeToString(s512[:])
		}
		if rec, err = rec.WithArtifact(a); err != nil {
			return evidenceErr(err)
		}
	case "attach-sbom":
		if *art == "" || *sbomFile == "" {
			return usagef("--artifact and --sbom are required")
		}
		data, err := os.ReadFile(*sbomFile)
		if err != nil {
			return usageError{err}
		}
		i := slices.IndexFunc(rec.Artifacts, func(a manifest.Artifact) bool { return strings.EqualFold(a.Name, *art) })
		if i < 0 {
			return usagef("record %s has no artifact %q", *release, *art)
		}
		a := rec.Artifacts[i]
		a.SBOM = manifest.Digest(data)
		if rec, err = rec.WithArtifact(a); err != nil {
			return err
		}
		if rec.SBOM.Ref == "" {
			rec.SBOM = manifest.SBOMRef{Ref: *sbomFile, Digest: a.SBOM}
		}
	case "set":
		if fs.NArg() == 0 {
			return usagef("give KEY=VALUE arguments")
		}
		for _, kv := range fs.Args() {
			if rec, err = setField(rec, kv); err != nil {
				return err
			}
		}
	case "check":
		rep := manifest.Check(rec)
		if *sf.json {
			if rep.Problems == nil {
				rep.Problems = []manifest.Problem{}
			}
			if err := writeJSON(stdout, rep); err != nil {
				return err
			}
		} else if len(rep.Problems) == 0 {
			fmt.Fprintf(stdout, "%s: complete\n", *release)
		} else {
			for _, p := range rep.Problems {
				fmt.Fprintf(stdout, "%s: %s\n", p.Field, p.Message)
			}
		}
		if len(rep.Problems) > 0 {
			fmt.Fprintf(stderr, "relctl: record %s is incomplete: %d problems\n", *release, len(rep.Problems))
			return errSilent
		}
		return nil
	case "show":
		return printRecord(stdout, rec, *sf.json)
	}
	if err := st.PutRecord(ctx, rec); err != nil {
		return evidenceErr(err)
	}
	return printRecord(stdout, rec, *sf.json)
}

func printRecord(w io.Writer, rec manifest.Record, asJSON bool) error {
	if asJSON {
		b, err := manifest.MarshalRecord(rec)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		buf.Write(b)
		buf.WriteByte('\n')
		_, err = w.Write(buf.Bytes())
		return err
	}
	fmt.Fprintf(w, "release %s commit %s\n", rec.Tag, rec.Commit)
	for _, a := range rec.Artifacts {
		fmt.Fprintf(w, "artifact %s %s %s\n", a.Name, a.Digest, a.URI)
	}
	if n := len(manifest.Check(rec).Problems); n > 0 {
		fmt.Fprintf(w, "incomplete: %d problems (relctl record check)\n", n)
	} else {
		fmt.Fprintln(w, "complete")
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// setField applies one KEY=VALUE of `record set`.
func setField(rec manifest.Record, kv string) (manifest.Record, error) {
	key, val, ok := strings.Cut(kv, "=")
	if !ok {
		return rec, usagef("%q is not KEY=VALUE", kv)
	}
	parseTime := func() (time.Time, error) {
		t, err := time.Parse(time.RFC3339, val)
		if err != nil {
			return t, usagef("%s: %v", key, err)
		}
		return t.UTC(), nil
	}
	var err error
	switch {
	case key == "commit":
		rec.Commit = val
	case key == "tickets":
		rec.Tickets = splitList(val)
	case key == "prs":
		rec.PRs = nil
		for _, p := range splitList(val) {
			rec.PRs = append(rec.PRs, manifest.PR{Ref: p})
		}
	case key == "backport":
		pr, orig, ok := strings.Cut(val, "=")
		origPR, sha, ok2 := strings.Cut(orig, "@")
		if !ok || !ok2 {
			return rec, usagef("backport=%q: want PR=ORIGINAL_PR@SHA", val)
		}
		rec.PRs = append(rec.PRs, manifest.PR{Ref: pr, OriginalPR: origPR, OriginalSHA: sha})
	case key == "provenance.build_id":
		rec.Provenance.BuildID = val
	case key == "provenance.ref":
		rec.Provenance.Ref = val
	case key == "sbom.ref":
		rec.SBOM.Ref = val
	case key == "sbom.digest":
		rec.SBOM.Digest = val
	case strings.HasPrefix(key, "check."):
		name := strings.TrimPrefix(key, "check.")
		if val != "pass" && val != "fail" {
			return rec, usagef("%s=%q: want pass or fail", key, val)
		}
		c := manifest.CheckResult{Name: name, Passed: val == "pass"}
		checks := slices.DeleteFunc(slices.Clone(rec.Checks), func(c manifest.CheckResult) bool { return c.Name == name })
		rec.Checks = append(checks, c)
	case key == "rollback.method":
		rec.Rollback.Method = val
	case key == "rollback.version":
		rec.Rollback.Version = val
	case key == "rollback.digest":
		rec.Rollback.Digest = val
	case key == "known_issue":
		if rec.KnownIssues == nil {
			rec.KnownIssues = []string{}
		}
		if val != "none" {
			rec.KnownIssues = append(rec.KnownIssues, val)
		}
	case key == "window.start":
		rec.Window.Start, err = parseTime()
	case key == "window.end":
		rec.Window.End, err = parseTime()
	case strings.HasPrefix(key, "extra.") && len(key) > len("extra."):
		if rec.Extra == nil {
			rec.Extra = manifest.Extras{}
		}
		rec.Extra[strings.TrimPrefix(key, "extra.")] = val
	default:
		return rec, usagef("unknown key %q (relctl record set --help lists them)", key)
	}
	if err != nil {
		return rec, err
	}
	for _, d := range []string{rec.SBOM.Digest, rec.Rollback.Digest} {
		if d != "" {
			if err := manifest.ValidateDigest(d); err != nil {
				return rec, usageError{err}
			}
		}
	}
	return rec, nil
}

// initRecord starts a record from the repository: the tag's commit, and the
// tickets and PRs of the commits since the previous release.
func initRecord(ctx context.Context, tag, repoDir, rev, prefix string, stderr io.Writer) (manifest.Record, error) {
	repo, demo, err := openRepo(repoDir, stderr)
	if err != nil {
		return manifest.Record{}, err
	}
	defer demo.remove()
	if rev == "" {
		rev = tag
	}
	to, err := commits.Resolve(repo, rev)
	if err != nil {
		return manifest.Record{}, usageError{err}
	}
	rng := commits.Range{To: to}
	c, err := repo.CommitObject(to)
	if err != nil {
		return manifest.Record{}, fmt.Errorf("read commit %s: %w", to, err)
	}
	if len(c.ParentHashes) > 0 {
		prev, err := commits.Previous(ctx, repo, c.ParentHashes[0], semver.Scheme{Prefix: prefix})
		if err != nil {
			return manifest.Record{}, err
		}
		if prev.HasStable {
			rng.From = []plumbing.Hash{plumbing.NewHash(prev.Stable.Commit)}
		}
	}
	rec := manifest.Record{Version: manifest.RecordVersion, Tag: tag, Commit: to.String()}
	seenT, seenPR := map[string]bool{}, map[string]bool{}
	for cm, err := range commits.Log(ctx, repo, rng) {
		if err != nil {
			return manifest.Record{}, err
		}
		for _, t := range cm.Tickets {
			if !seenT[t] {
				seenT[t] = true
				rec.Tickets = append(rec.Tickets, t)
			}
		}
		if cm.PR != 0 {
			ref := "#" + strconv.Itoa(cm.PR)
			if !seenPR[ref] {
				seenPR[ref] = true
				pr := manifest.PR{Ref: ref}
				if len(cm.CherryPickedFrom) > 0 {
					pr.OriginalSHA = cm.CherryPickedFrom[0]
				}
				rec.PRs = append(rec.PRs, pr)
			}
		}
	}
	return rec, nil
}

// cmdManifest implements `relctl manifest build|sign|verify|diff`.
func cmdManifest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "build", "sign", "verify", "diff")
	if err != nil {
		return err
	}
	fs := newFlags("manifest "+sub, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	var (
		storeDir, gitStore, name, out, file, sig, key, format, passEnv, keyring, allowed, principal *string
	)
	switch sub {
	case "build":
		storeDir = fs.String("store", "", "evidence store `DIR` holding the repositories' records")
		gitStore = fs.String("git-store", "", "git store `REPO`")
		name = fs.String("name", "", "the coordinated release `NAME` (required)")
		out = fs.String("out", "", "write the manifest to `FILE` (default: stdout)")
	case "sign":
		file = fs.String("manifest", "", "manifest `FILE` (required)")
		sig = fs.String("sig", "", "write the signature to `FILE` (default: manifest FILE + .sig)")
		key = fs.String("key", "", "private key `FILE` (required)")
		format = fs.String("format", "ssh", "key format: `ssh` or openpgp")
		passEnv = fs.String("passphrase-env", "", "read the key passphrase from the environment variable `VAR`")
	case "verify":
		file = fs.String("manifest", "", "manifest `FILE` (required)")
		sig = fs.String("sig", "", "signature `FILE` (default: manifest FILE + .sig)")
		keyring = fs.String("keyring", "", "trust the armored OpenPGP keys in `FILE`")
		allowed = fs.String("allowed-signers", "", "trust the SSH allowed_signers `FILE` (namespace "+manifest.Namespace+")")
		principal = fs.String("principal", "", "with --allowed-signers, require this `PRINCIPAL`")
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, map[string]string{
			"build":  "Usage: relctl manifest build --store DIR --name NAME [--out FILE] REPO=TAG...",
			"sign":   "Usage: relctl manifest sign --manifest FILE --key FILE [--format ssh|openpgp] [--sig FILE]",
			"verify": "Usage: relctl manifest verify --manifest FILE (--keyring FILE | --allowed-signers FILE) [--sig FILE]",
			"diff":   "Usage: relctl manifest diff OLD NEW",
		}[sub])
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	switch sub {
	case "build":
		if *name == "" || fs.NArg() == 0 {
			return usagef("--name and at least one REPO=TAG are required")
		}
		st, err := storeFlags{dir: storeDir, gitRepo: gitStore, json: asJSON}.open()
		if err != nil {
			return err
		}
		m := manifest.Manifest{Version: manifest.ManifestVersion, Name: *name}
		for _, arg := range fs.Args() {
			repoName, tag, ok := strings.Cut(arg, "=")
			if !ok || repoName == "" || tag == "" {
				return usagef("%q is not REPO=TAG", arg)
			}
			rec, err := st.Record(ctx, tag)
			if err != nil {
				return evidenceErr(err)
			}
			if err := manifest.Check(rec).Err(); err != nil {
				return err
			}
			m.Repos = append(m.Repos, manifest.Repo{Name: repoName, Tag: rec.Tag, Commit: rec.Commit,
				Artifacts: rec.Artifacts, SBOM: rec.SBOM.Digest, Provenance: rec.Provenance.Ref})
		}
		data, err := manifest.Marshal(m)
		if err != nil {
			return evidenceErr(err)
		}
		if *out == "" {
			_, err := stdout.Write(append(data, '\n'))
			return err
		}
		if err := writeFileAtomic(*out, data); err != nil {
			return err
		}
		return printDigest(stdout, *out, manifest.Digest(data), *asJSON)
	case "sign":
		if *file == "" || *key == "" || fs.NArg() > 0 {
			return usagef("--manifest and --key are required")
		}
		data, err := readSmallFile(*file)
		if err != nil {
			return err
		}
		m, err := manifest.ParseManifest(data)
		if err != nil {
			return usageError{err}
		}
		signer, err := evidenceSigner("--key", *key, *format, *passEnv)
		if err != nil {
			return err
		}
		canon, err := manifest.Marshal(m)
		if err != nil {
			return err
		}
		s, err := manifest.Sign(ctx, m, signer)
		if err != nil {
			return err
		}
		if !bytes.Equal(canon, data) {
			// Sign the canonical form: rewrite the file so it matches.
			if err := writeFileAtomic(*file, canon); err != nil {
				return err
			}
		}
		sigPath := *sig
		if sigPath == "" {
			sigPath = *file + ".sig"
		}
		if err := writeFileAtomic(sigPath, s); err != nil {
			return err
		}
		return printDigest(stdout, sigPath, manifest.Digest(canon), *asJSON)
	case "verify":
		if *file == "" || fs.NArg() > 0 {
			return usagef("--manifest is required")
		}
		v, err := trustedKeys(*keyring, *allowed, *principal, manifest.Namespace)
		if err != nil {
			return err
		}
		data, err := readSmallFile(*file)
		if err != nil {
			return err
		}
		sigPath := *sig
		if sigPath == "" {
			sigPath = *file + ".sig"
		}
		s, err := readSmallFile(sigPath)
		if err != nil {
			return err
		}
		m, verr := manifest.Open(ctx, data, s, v, time.Now())
		res := struct {
			Manifest string `json:"manifest"`
			Valid    bool   `json:"valid"`
			Digest   string `json:"digest"`
			Name     string `json:"name,omitempty"`
			Error    string `json:"error,omitempty"`
		}{Manifest: *file, Valid: verr == nil, Digest: manifest.Digest(data), Name: m.Name}
		if verr != nil {
			res.Error = verr.Error()
		}
		if *asJSON {
			if err := writeJSON(stdout, res); err != nil {
				return err
			}
			if verr != nil {
				return errSilent
			}
			return nil
		}
		if verr != nil {
			return verr
		}
		fmt.Fprintf(stdout, "%s: valid signature, %s %s\n", *file, m.Name, res.Digest)
		return nil
	case "diff":
		if fs.NArg() != 2 {
			return usagef("give OLD and NEW manifest files")
		}
		var ms [2]manifest.Manifest
		for i := range 2 {
			data, err := readSmallFile(fs.Arg(i))
			if err != nil {
				return err
			}
			if ms[i], err = manifest.ParseManifest(data); err != nil {
				return usageError{fmt.Errorf("%s: %w", fs.Arg(i), err)}
			}
		}
		d := manifest.Diff(ms[0], ms[1])
		if *asJSON {
			return writeJSON(stdout, d)
		}
		for _, r := range d.Added {
			fmt.Fprintf(stdout, "+ %s\n", r)
		}
		for _, r := range d.Removed {
			fmt.Fprintf(stdout, "- %s\n", r)
		}
		for _, c := range d.Changed {
			fmt.Fprintf(stdout, "~ %s: %s\n", c.Name, strings.Join(c.Fields, ", "))
			if c.Old.Tag != c.New.Tag {
				fmt.Fprintf(stdout, "    tag %s -> %s\n", c.Old.Tag, c.New.Tag)
			}
			for _, dd := range c.Digests {
				fmt.Fprintf(stdout, "    %s %s -> %s\n", dd.Name, orNone(dd.Old), orNone(dd.New))
			}
		}
		if d.Empty() {
			fmt.Fprintln(stdout, "no changes")
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func printDigest(w io.Writer, file, digest string, asJSON bool) error {
	if asJSON {
		return writeJSON(w, map[string]string{"file": file, "digest": digest})
	}
	_, err := fmt.Fprintf(w, "%s %s\n", digest, file)
	return err
}

type promoteResult struct {
	Seq       uint64             `json:"seq"`
	Hash      string             `json:"hash"`
	Promotion manifest.Promotion `json:"promotion"`
}

func printPromotion(ctx context.Context, w io.Writer, e manifest.Entry, asJSON bool) error {
	if rep := ciFrom(ctx); rep != nil && e.Promotion != nil {
		rep.set("release", e.Promotion.Release)
		rep.set("env", e.Promotion.Env)
		rep.set("digest", e.Promotion.Digest)
	}
	h, err := e.Hash()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, promoteResult{Seq: e.Seq, Hash: h, Promotion: *e.Promotion})
	}
	p := e.Promotion
	if p.RollbackFrom != "" {
		_, err = fmt.Fprintf(w, "rolled back %s: %s -> %s %s (log #%d)\n", p.Env, p.RollbackFrom, p.Release, p.Digest, e.Seq)
	} else {
		_, err = fmt.Fprintf(w, "promoted %s %s to %s (log #%d)\n", p.Release, p.Digest, p.Env, e.Seq)
	}
	return err
}

func orderOption(order string) (manifest.Option, error) {
	envs := splitList(order)
	if len(envs) == 0 {
		return nil, usagef("--order is empty")
	}
	return manifest.WithOrder(envs...), nil
}

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

// readEmergency reads an emergency-change record (--emergency FILE), or
// returns nil without a file.
func readEmergency(file string) (*manifest.EmergencyChange, error) {
	if file == "" {
		return nil, nil
	}
	b, err := readSmallFile(file)
	if err != nil {
		return nil, err
	}
	em := new(manifest.EmergencyChange)
	if err := strictjson.Unmarshal(b, em, strictjson.Options{}); err != nil {
		return nil, usagef("--emergency %s: %v", file, err)
	}
	return em, nil
}

// manifestRequest is `relctl promote --manifest`'s input.
type manifestRequest struct {
	file, sig, release, digest string
	keyring, allowed           string
	req                        manifest.ManifestRequest // Env, Approver, Reason, Emergency
}

// readManifestFile reads and parses a manifest file and returns it with its
// content digest.
func readManifestFile(file string) (manifest.Manifest, string, error) {
	data, err := readSmallFile(file)
	if err != nil {
		return manifest.Manifest{}, "", err
	}
	m, err := manifest.ParseManifest(data)
	if err != nil {
		return manifest.Manifest{}, "", usageError{fmt.Errorf("--manifest %s: %w", file, err)}
	}
	d, err := m.Digest()
	if err != nil {
		return manifest.Manifest{}, "", usageError{fmt.Errorf("--manifest %s: %w", file, err)}
	}
	return m, d, nil
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

// cmdRollback implements `relctl rollback`.
func cmdRollback(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("rollback", stderr)
	sf := addStoreFlags(fs)
	env := fs.String("env", "", "environment `ENV` to roll back (required)")
	approver := fs.String("approver", "", "approver identity `ID` (required)")
	reason := fs.String("reason", "", "the rationale `TEXT` (required)")
	order := fs.String("order", "dev,staging,prod", "promotion `ORDER` of environments, comma-separated")
	manifestFile := fs.String("manifest", "", "roll back from the multi-repo manifest in `FILE`, which ENV must run now, to the previous manifest ENV ran")
	gf := addGateFlags(fs)
	emergency := fs.String("emergency", "", "emergency-change record `FILE` of a rollback outside the change window (JSON: id, reason, scope, approver, rollback_plan, follow_up)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl rollback --store DIR --env ENV --approver ID --reason TEXT [--manifest FILE] [--emergency FILE]\n                       [--policy FILE [--pr FILE] [--releaser ID]]\n\nRedeploys the last known-good release's published digest (never a rebuild);\nwith --manifest, the last known-good manifest's.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, ciHelp+"release, env, digest (RELCTL_RELEASE=v1.4.1 ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *env == "" {
		return usagef("--env is required")
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
	req := manifest.RollbackRequest{Env: *env, Approver: *approver, Reason: *reason, Emergency: em}
	var e manifest.Entry
	if *manifestFile != "" {
		e, err = rollbackManifest(ctx, st, *manifestFile, req, opts...)
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

// cmdAuditLog implements `relctl log verify` (the evidence log; `relctl
// log` without "verify" is the commit log).
func cmdAuditLog(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	_, args, err := subcommand(args, "verify")
	if err != nil {
		return err
	}
	fs := newFlags("log verify", stderr)
	sf := addStoreFlags(fs)
	cpFile := fs.String("checkpoint", "", "checkpoint `FILE` ({\"count\":N,\"head\":\"sha256:…\"}) to detect truncation")
	cpSig := fs.String("checkpoint-sig", "", "signature `FILE` of the checkpoint (default: checkpoint FILE + .sig if it exists)")
	keyring := fs.String("keyring", "", "verify the checkpoint signature with the OpenPGP keys in `FILE`")
	allowed := fs.String("allowed-signers", "", "verify the checkpoint signature with the SSH allowed_signers `FILE`")
	writeCP := fs.String("write-checkpoint", "", "after verifying, write the current checkpoint to `FILE`")
	signKey := fs.String("sign-key", "", "with --write-checkpoint, sign the checkpoint with the private key in `FILE` (namespace "+manifest.Namespace+" for SSH) and write the signature to FILE.sig")
	signFormat := fs.String("sign-format", "ssh", "with --sign-key, the key format: `ssh` or openpgp")
	signPassEnv := fs.String("passphrase-env", "", "with --sign-key, read the key passphrase from the environment variable `VAR`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl log verify --store DIR [--checkpoint FILE [--keyring FILE | --allowed-signers FILE]] [--write-checkpoint FILE [--sign-key KEY]]\n\nChecks the promotion log's hash chain, and against a checkpoint, truncation;\nwith --write-checkpoint, writes the verified head (signed with --sign-key, to\nFILE.sig) for the next verification and for relctl audit.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *signKey != "" && *writeCP == "" {
		return usagef("--sign-key needs --write-checkpoint")
	}
	var signer signature.Signer
	if *signKey != "" {
		var err error
		if signer, err = evidenceSigner("--sign-key", *signKey, *signFormat, *signPassEnv); err != nil {
			return err
		}
	}
	st, err := sf.open()
	if err != nil {
		return err
	}
	var cp *manifest.Checkpoint
	if *cpFile != "" {
		data, err := readSmallFile(*cpFile)
		if err != nil {
			return err
		}
		c, err := readCheckpoint(ctx, data, *cpFile, *cpSig, *keyring, *allowed)
		if err != nil {
			return err
		}
		cp = &c
	}
	entries, verr := manifest.VerifyStore(ctx, st, cp)
	if verr != nil && entries == nil {
		return verr
	}
	head, herr := manifest.NewCheckpoint(entries)
	res := struct {
		Valid   bool   `json:"valid"`
		Entries int    `json:"entries"`
		Head    string `json:"head"`
		Error   string `json:"error,omitempty"`
	}{Valid: verr == nil, Entries: len(entries), Head: head.Head}
	if verr != nil {
		res.Error = verr.Error()
	} else if herr != nil {
		return herr
	}
	if verr == nil && *writeCP != "" {
		data, err := manifest.MarshalCheckpoint(head)
		if err != nil {
			return err
		}
		var sig []byte
		if signer != nil {
			if data, sig, err = manifest.SignCheckpoint(ctx, head, signer); err != nil {
				return err
			}
		}
		if err := writeFileAtomic(*writeCP, data); err != nil {
			return err
		}
		if sig != nil {
			if err := writeFileAtomic(*writeCP+".sig", sig); err != nil {
				return err
			}
		}
	}
	if *sf.json {
		if err := writeJSON(stdout, res); err != nil {
			return err
		}
		if verr != nil {
			return errSilent
		}
		return nil
	}
	if verr != nil {
		return verr
	}
	fmt.Fprintf(stdout, "log verifies: %d entries, head %s\n", res.Entries, orNone(res.Head))
	return nil
}

func readCheckpoint(ctx context.Context, data []byte, file, sigFile, keyring, allowed string) (manifest.Checkpoint, error) {
	if keyring == "" && allowed == "" {
		var w struct {
			Type  string `json:"type"`
			Count uint64 `json:"count"`
			Head  string `json:"head"`
		}
		if err := strictjson.Unmarshal(data, &w, strictjson.Options{}); err != nil {
			return manifest.Checkpoint{}, usagef("--checkpoint %s: %v", file, err)
		}
		return manifest.Checkpoint{Count: w.Count, Head: w.Head}, nil
	}
	v, err := trustedKeys(keyring, allowed, "", manifest.Namespace)
	if err != nil {
		return manifest.Checkpoint{}, err
	}
	if sigFile == "" {
		sigFile = file + ".sig"
	}
	sig, err := readSmallFile(sigFile)
	if err != nil {
		return manifest.Checkpoint{}, err
	}
	return manifest.OpenCheckpoint(ctx, data, sig, v, time.Now())
}

// openGitStore opens the evidence store kept in a git repository under
// manifest.LogRef.
func openGitStore(dir string) (manifest.Store, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, usageError{fmt.Errorf("--git-store %s: %w", dir, err)}
	}
	return manifest.NewGitStore(repo)
}
