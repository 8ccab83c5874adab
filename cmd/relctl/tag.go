package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"

	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// tagResult is the JSON contract of `relctl tag --json`.
type tagResult struct {
	Tag     string `json:"tag"`
	Commit  string `json:"commit"`
	Object  string `json:"object"`
	Format  string `json:"format"`
	Signer  string `json:"signer"`
	Created bool   `json:"created"`
	Pushed  string `json:"pushed,omitempty"`
}

// cmdTag implements `relctl tag`.
func cmdTag(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("tag", stderr)
	name := fs.String("name", "", "tag `NAME`, such as v1.2.3 (required)")
	rev := fs.String("rev", "HEAD", "the `REV`ision to tag; resolved once, the tag is made on that exact commit")
	sign := fs.String("sign", "", "signature format: `openpgp` or ssh")
	keyFile := fs.String("key", "", "signing key `FILE`: an armored OpenPGP private key, an SSH private key, or an SSH public key held by the ssh-agent at SSH_AUTH_SOCK")
	unsigned := fs.Bool("unsigned", false, "create an unsigned annotated tag (explicit opt-out of signing)")
	passEnv := fs.String("passphrase-env", "", "read the key passphrase from the environment variable `VAR`")
	passFile := fs.String("passphrase-file", "", "read the key passphrase from `FILE` (first line)")
	taggerFlag := fs.String("tagger", "", `tagger "Name <email>" (default: user.name and user.email of the repository)`)
	msgFile := fs.String("message-file", "", "tag message `FILE`, cleaned up as `git tag -F` does: lines starting with '#' are dropped (default: \"Release NAME\")")
	push := fs.String("push", "", "push the tag to `REMOTE` (a remote name or URL) without force")
	prefix := fs.String("prefix", "v", "the tag scheme `PREFIX`: the name must be PREFIX followed by a SemVer version")
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository here)")
	asJSON := fs.Bool("json", false, "print a JSON object")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl tag --name TAG --rev REV (--sign openpgp --key FILE | --sign ssh --key FILE | --unsigned) [flags]\n\nCreates a signed annotated release tag that never moves: an existing tag at\nthe same commit is reported as it is (exit 0), at another commit it is an\nerror (exit 1).\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExample:\n  RELEASE_KEY_PASS=... relctl tag --name v1.2.3 --rev $GITHUB_SHA --sign openpgp --key release.asc --passphrase-env RELEASE_KEY_PASS --push origin")
		fmt.Fprintln(stderr, ciHelp+"tag, commit, object (RELCTL_TAG=v1.2.3 ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *name == "" {
		return usagef("--name is required")
	}
	if err := tagging.ValidateName(*name); err != nil {
		return usageError{err}
	}
	if *unsigned == (*sign != "") {
		return usagef("give exactly one of --sign openpgp|ssh and --unsigned")
	}
	if *sign != "" && *keyFile == "" {
		return usagef("--sign needs --key FILE")
	}
	if *passEnv != "" && *passFile != "" {
		return usagef("give at most one of --passphrase-env and --passphrase-file")
	}
	passphrase, err := readPassphrase(*passEnv, *passFile)
	if err != nil {
		return err
	}
	// own verifies an existing tag against the signing key itself: a re-run
	// is a success only when the tag there was signed with this key.
	signer, own, err := tagSigner(*sign, *keyFile, passphrase)
	if err != nil {
		return err
	}
	repo, target, demo, err := openRepoAt(*repoDir, *rev, false, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	tagger, err := taggerIdentity(repo, *taggerFlag)
	if err != nil {
		return err
	}
	msg := "Release " + *name + "\n"
	if *msgFile != "" {
		b, err := readInput("--message-file", *msgFile, maxInputFile)
		if err != nil {
			return err
		}
		msg = string(b)
	}
	req := tagging.Request{Name: *name, Target: target, Tagger: tagger, Message: msg}
	opts := []tagging.Option{tagging.WithScheme(semver.Scheme{Prefix: *prefix})}
	var tag *tagging.Tag
	if signer != nil {
		tag, err = tagging.Create(ctx, repo, req, signer, opts...)
	} else {
		tag, err = tagging.CreateUnsigned(ctx, repo, req, opts...)
	}
	if errors.Is(err, tagging.ErrInvalidRefName) || errors.Is(err, tagging.ErrEmptyMessage) || errors.Is(err, tagging.ErrInvalidMessage) || errors.Is(err, tagging.ErrInvalidTagger) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	res := tagResult{Tag: tag.Name, Commit: tag.Target.String(), Object: tag.Hash.String(), Format: string(tag.Format), Created: tag.Created}
	switch s := signer.(type) {
	case *signature.OpenPGPSigner:
		res.Signer = s.Fingerprint()
	case *signature.SSHSigner:
		res.Signer = s.Fingerprint()
	}
	if signer != nil && !tag.Created {
		// The tag was there already at this commit: report it as signed by
		// this key only when it verifies with this key; an unsigned tag or
		// one signed by another key is not the signed release asked for.
		if _, err := tagging.Verify(ctx, repo, tag.Name, own, time.Now()); err != nil {
			return fmt.Errorf("tag %s exists at %s but is not a valid tag signed with --key %s: %w", tag.Name, tag.Target, *keyFile, err)
		}
	}
	if *push != "" {
		if err := tagging.Push(ctx, repo, *push, tag.Name); err != nil {
			return err
		}
		res.Pushed = *push
	}
	rep := ciFrom(ctx)
	rep.set("tag", res.Tag)
	rep.set("commit", res.Commit)
	rep.set("object", res.Object)
	if *asJSON {
		return writeJSON(stdout, res)
	}
	state := "created"
	if !tag.Created {
		state = "exists (unchanged)"
	}
	format := res.Format
	if format == "" {
		format = "unsigned"
	}
	fmt.Fprintf(stdout, "%s %s: %s -> %s (%s)\n", res.Tag, state, res.Object, res.Commit, format)
	if res.Pushed != "" {
		fmt.Fprintf(stdout, "pushed to %s\n", res.Pushed)
	}
	return nil
}

// taggerIdentity parses "Name <email>", or takes user.name and user.email
// from the repository's configuration. The time is now.
func taggerIdentity(repo *git.Repository, flag string) (tagging.Identity, error) {
	id := tagging.Identity{When: time.Now()}
	if flag != "" {
		name, rest, ok := strings.Cut(flag, " <")
		if !ok || !strings.HasSuffix(rest, ">") {
			return id, usagef(`--tagger %q: want "Name <email>"`, flag)
		}
		id.Name, id.Email = strings.TrimSpace(name), strings.TrimSuffix(rest, ">")
		return id, nil
	}
	cfg, err := repo.ConfigScoped(config.GlobalScope)
	if err != nil {
		return id, err
	}
	id.Name, id.Email = cfg.User.Name, cfg.User.Email
	if id.Name == "" || id.Email == "" {
		return id, usagef("no tagger: give --tagger \"Name <email>\" or set user.name and user.email")
	}
	return id, nil
}
