package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/atomicfile"
	"github.com/releasekit/releasekit/internal/boundedfile"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// This file holds what several commands share: reading their flags, the
// flags they have in common (the evidence store, the promotion gate), mapping
// package errors to exit codes, opening the repository, and writing output.
// Keys are loaded in keys.go, input files read in input.go, CI reports made
// in ci.go.

// newFlags returns the flag set of `relctl name`, printing to stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("relctl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, which must hold flags only: errHelp after --help,
// a usage error for a bad flag or an argument.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// errHelp is returned after --help printed the usage: exit 0.
var errHelp = errors.New("help")

// helpOK turns errHelp into success (exit 0).
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// subcommand splits the sub-command, one of names, off args.
func subcommand(args []string, names ...string) (string, []string, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		return "", nil, subcommandHelp{names}
	}
	if len(args) == 0 || !slices.Contains(names, args[0]) {
		return "", nil, usagef("want a subcommand: %s", strings.Join(names, ", "))
	}
	return args[0], args[1:], nil
}

// storeFlags are the flags every evidence subcommand shares.
type storeFlags struct {
	dir     *string
	gitRepo *string
	oci     *string
	json    *bool
	create  bool // the command may create the directory store (record init)
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		dir:     fs.String("store", "", "evidence store `DIR` (directory store)"),
		gitRepo: fs.String("git-store", "", "keep the evidence in the git repository `REPO` under refs/releasekit/log"),
		oci:     fs.String("oci-store", "", "keep the evidence in the OCI registry repository `REF` (host[:port]/repository; credentials from the Docker configuration, plain HTTP only to 127.0.0.1, ::1 and localhost)"),
		json:    fs.Bool("json", false, "print JSON"),
	}
}

func (s storeFlags) open() (manifest.Store, error) {
	oci := ""
	if s.oci != nil {
		oci = *s.oci
	}
	switch {
	case *s.dir != "" && *s.gitRepo != "":
		return nil, usagef("give only one of --store and --git-store")
	case oci != "" && (*s.dir != "" || *s.gitRepo != ""):
		return nil, usagef("give only one of --store, --git-store and --oci-store")
	case oci != "":
		return openOCIStore("--oci-store", oci)
	case *s.dir != "":
		if !s.create {
			// Only record init makes a store: a command that reads one
			// must not answer from an empty store it just created.
			if fi, err := os.Stat(*s.dir); err != nil || !fi.IsDir() {
				return nil, usagef("--store %s: no evidence store there (relctl record init creates one)", *s.dir)
			}
		}
		return manifest.NewDirStore(*s.dir)
	case *s.gitRepo != "":
		return openGitStore(*s.gitRepo)
	}
	// The release configuration's store (stores: store, git_store or
	// oci_store).
	cfg, err := loadConfig("", ".")
	if err != nil {
		return nil, err
	}
	if st, ok, err := configuredStore(cfg); ok {
		return st, err
	}
	return nil, usagef("--store DIR or --git-store REPO is required (or stores: in %s)", config.FileName)
}

// given reports whether a store flag was given.
func (s storeFlags) given() bool {
	return *s.dir != "" || *s.gitRepo != "" || (s.oci != nil && *s.oci != "")
}

// configuredStore opens the store the release configuration names
// (stores: store, git_store or oci_store); ok is false when cfg is nil or
// names none.
func configuredStore(cfg *config.Config) (st manifest.Store, ok bool, err error) {
	if cfg == nil {
		return nil, false, nil
	}
	switch {
	case cfg.Stores.Store != "":
		st, err = manifest.NewDirStore(cfg.Stores.Store)
	case cfg.Stores.GitStore != "":
		st, err = openGitStore(cfg.Stores.GitStore)
	case cfg.Stores.OCIStore != "":
		st, err = openOCIStore("stores.oci_store", cfg.Stores.OCIStore)
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

// openOCIStore opens the evidence store kept in the OCI registry
// repository ref (package ocistore): credentials from the Docker
// configuration, never from argv. Opening only checks that the registry
// answers; a registry that does not enforce conditional tag updates is
// refused at the first write.
func openOCIStore(what, ref string) (manifest.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := ocistore.Open(ctx, ref, ocistore.WithDockerConfig(""))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, ref, err)
	}
	return st, nil
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

// gateFlags are the flags of promote and rollback that put a policy gate
// in front of the promotion (production.go decides which policy applies).
type gateFlags struct {
	config, pr *string
	releaser   *string // set from promotionFlags: the gate's Facts.Deployment.Releaser
}

func addGateFlags(fs *flag.FlagSet) gateFlags {
	return gateFlags{
		config: fs.String("policy", "", "decide the promotion with the release policy in `FILE` (YAML or JSON, as relctl policy --config) instead of the configuration's; its JSON report is kept in the store and its digest in the log entry"),
		pr:     fs.String("pr", "", "the pull request `FILE` (policy's JSON form) the release came from: separation of duties checks its author and reviewers"),
	}
}

// facts returns the facts the gate decides on beyond the promotion: the
// pull request (--pr) and the releaser.
func (g gateFlags) facts() (policy.Facts, error) {
	var f policy.Facts
	if *g.pr != "" {
		b, err := readInput("--pr", *g.pr, maxInputFile)
		if err != nil {
			return f, err
		}
		pr, err := policy.ReadPullRequest(bytes.NewReader(b))
		if err != nil {
			return f, usageError{fmt.Errorf("--pr %s: %w", *g.pr, err)}
		}
		f.PullRequest = pr
	}
	if g.releaser != nil {
		withReleaser(&f, *g.releaser)
	}
	return f, nil
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

// sbomErr marks errors caused by bad input files as usage errors (exit 2);
// a failed check or a broken binding stays exit 1.
func sbomErr(err error) error {
	for _, e := range []error{sbom.ErrInvalidReference, sbom.ErrMalformed, sbom.ErrWrongFormat, sbom.ErrUnsupportedSpecVersion,
		sbom.ErrTooLarge, sbom.ErrInvalid, sbom.ErrNotGoBinary, sbom.ErrNotGoModule, signature.ErrInvalidKey,
		sbom.ErrInvalidDigest, os.ErrNotExist, boundedfile.ErrNotRegular, boundedfile.ErrTooLarge} {
		if errors.Is(err, e) {
			return usageError{err}
		}
	}
	return err
}

// demoDir is the directory of a demo repository ("" when there is none).
type demoDir string

// remove deletes the demo repository.
func (d demoDir) remove() {
	if d != "" {
		_ = os.RemoveAll(string(d))
	}
}

// A noRepoError is a command that needs a git repository run where there
// is none: outside a repository without --repo (exit 2). The demo
// repository is only ever used with --demo.
type noRepoError struct{ Dir string }

func (e *noRepoError) Error() string {
	return fmt.Sprintf("no git repository in %s: run it in a repository, give --repo DIR (or --demo for a demo repository, where the command has it)", e.Dir)
}

// openRepo opens dir, or the repository around the working directory: a
// usage error (exit 2) naming the directory when there is none. It never
// makes a demo repository (the demoDir it returns is always empty: see
// openRepoAt for --demo).
func openRepo(dir string, stderr io.Writer) (*git.Repository, demoDir, error) {
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, "", usagef("--repo %s: not a directory", dir)
		}
		repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, "", usageError{&noRepoError{Dir: dir}}
		}
		if err != nil {
			return nil, "", usageError{fmt.Errorf("open repository %s: %w", dir, err)}
		}
		return repo, "", nil
	}
	repo, err := git.PlainOpenWithOptions(".", &git.PlainOpenOptions{DetectDotGit: true})
	if err == nil {
		return repo, "", nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, "", fmt.Errorf("open repository: %w", err)
	}
	wd, werr := filepath.Abs(".")
	if werr != nil {
		wd = "."
	}
	return nil, "", usageError{&noRepoError{Dir: wd}}
}

// openRepoAt opens the repository (openRepo, or with useDemo, that is
// --demo, the demo repository) and resolves rev in it. The caller removes
// the demo directory; on error nothing is left behind.
func openRepoAt(dir, rev string, useDemo bool, stderr io.Writer) (*git.Repository, plumbing.Hash, demoDir, error) {
	open := openRepo
	if useDemo {
		if dir != "" {
			return nil, plumbing.ZeroHash, "", usagef("--demo and --repo exclude each other")
		}
		open = func(string, io.Writer) (*git.Repository, demoDir, error) { return openDemo(stderr) }
	}
	repo, demo, err := open(dir, stderr)
	if err != nil {
		return nil, plumbing.ZeroHash, "", err
	}
	h, err := commits.Resolve(repo, rev)
	if err != nil {
		demo.remove()
		return nil, plumbing.ZeroHash, "", usageError{err}
	}
	return repo, h, demo, nil
}

// openDemo creates and opens the demo repository.
func openDemo(stderr io.Writer) (*git.Repository, demoDir, error) {
	demo, err := makeDemo()
	if err != nil {
		return nil, "", fmt.Errorf("create demo repository: %w", err)
	}
	fmt.Fprintln(stderr, "relctl: running on a demo repository (v1.0.0..v1.2.0 released, then a feat and a fix)")
	repo, err := git.PlainOpen(demo)
	if err != nil {
		_ = os.RemoveAll(demo)
		return nil, "", err
	}
	return repo, demoDir(demo), nil
}

// writeJSON prints v as indented JSON, without HTML escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// changeFlags are the message conventions beyond the Conventional Commits
// specification that parse, next, log and changelog read only when asked:
// --override (a BEGIN_COMMIT_OVERRIDE block replaces the header's changes)
// and --additional (release-please's additional headers at the end of the
// body). By default a commit yields its header and its footers only.
type changeFlags struct{ override, additional *bool }

func addChangeFlags(fs *flag.FlagSet) changeFlags {
	return changeFlags{
		override:   fs.Bool("override", false, "read a BEGIN_COMMIT_OVERRIDE block (its changes replace the header's)"),
		additional: fs.Bool("additional", false, "read release-please's additional Conventional Commit headers at the end of the body"),
	}
}

// parseOptions returns the commits.ParseOption of the flags given.
func (c changeFlags) parseOptions() []commits.ParseOption {
	var opts []commits.ParseOption
	if *c.override {
		opts = append(opts, commits.WithOverride())
	}
	if *c.additional {
		opts = append(opts, commits.WithAdditionalHeaders())
	}
	return opts
}

// writeVerdict writes the JSON result of a verification and returns
// errSilent when verification failed (the JSON already says why), so that
// the exit code is 1 without a second message.
func writeVerdict(w io.Writer, v any, verr error) error {
	if err := writeJSON(w, v); err != nil {
		return err
	}
	if verr != nil {
		return errSilent
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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

// emitStatement signs st into a DSSE envelope when keyFile is set and
// writes the result to out or stdout.
func emitStatement(ctx context.Context, st []byte, keyFile, out string, stdout io.Writer) error {
	data, _, err := statementBytes(ctx, st, keyFile)
	if err != nil {
		return err
	}
	if out == "" {
		_, err := stdout.Write(data)
		return err
	}
	return writeFileAtomic(out, data)
}

// statementBytes returns the in-toto statement st as written: signed as a
// DSSE envelope with the PEM key in keyFile (and that key's id), else the
// statement and a newline.
func statementBytes(ctx context.Context, st []byte, keyFile string) (data []byte, keyID string, err error) {
	if keyFile == "" {
		return append(st, '\n'), "", nil
	}
	signer, err := provenanceSigner(keyFile)
	if err != nil {
		return nil, "", err
	}
	if data, err = sbom.SignEnvelope(ctx, sbom.PayloadType, st, signer); err != nil {
		return nil, "", err
	}
	return data, signer.KeyID(), nil
}

// writeFileAtomic replaces path with data: a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Dir(abs), filepath.Base(abs), data)
}
