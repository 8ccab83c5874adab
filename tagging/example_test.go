package tagging_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// exampleRepo creates a repository with two commits at fixed times.
func exampleRepo() (*git.Repository, plumbing.Hash, plumbing.Hash, func()) {
	dir, err := os.MkdirTemp("", "tagging-example")
	if err != nil {
		log.Fatal(err)
	}
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		log.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		log.Fatal(err)
	}
	sig := &object.Signature{Name: "Dev", Email: "dev@example.com", When: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	commit, err := wt.Commit("feat: first\n", &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		log.Fatal(err)
	}
	sig.When = sig.When.Add(time.Minute)
	second, err := wt.Commit("fix: second\n", &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		log.Fatal(err)
	}
	return repo, commit, second, func() { os.RemoveAll(dir) }
}

// exampleKey is a fixed Ed25519 key (never use a fixed key outside an
// example): Ed25519 signatures are deterministic, so the output is stable.
func exampleKey() ssh.Signer {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "releasekit example key, not secret")
	s, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func ExampleCreate() {
	ctx := context.Background()
	repo, commit, second, cleanup := exampleRepo()
	defer cleanup()

	signer, err := signature.NewSSHSigner(exampleKey(), tagging.GitNamespace)
	if err != nil {
		log.Fatal(err)
	}
	req := tagging.Request{
		Name:    "v1.0.0",
		Target:  commit, // the exact commit the release job planned
		Tagger:  tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)},
		Message: "Release v1.0.0",
	}
	tag, err := tagging.Create(ctx, repo, req, signer, tagging.WithScheme(semver.Scheme{Prefix: "v"}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tag.Name, tag.Format, tag.Created, tag.Target == commit)

	// A re-run of the same job returns the same tag.
	again, err := tagging.Create(ctx, repo, req, signer)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(again.Hash == tag.Hash, again.Created)

	// The same name on another commit is refused.
	req.Target = second
	_, err = tagging.Create(ctx, repo, req, signer)
	var exists *tagging.ExistsError
	fmt.Println(errors.As(err, &exists), exists.Existing == commit)
	// Output:
	// v1.0.0 ssh true true
	// true false
	// true true
}

func ExampleVerify() {
	ctx := context.Background()
	repo, commit, _, cleanup := exampleRepo()
	defer cleanup()
	key := exampleKey()
	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	if err != nil {
		log.Fatal(err)
	}
	req := tagging.Request{Name: "v1.0.0", Target: commit, Message: "Release v1.0.0",
		Tagger: tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)}}
	if _, err := tagging.Create(ctx, repo, req, signer); err != nil {
		log.Fatal(err)
	}

	// The trusted keys: an allowed_signers file, as for git's
	// gpg.ssh.allowedSignersFile.
	allowed := `bot@example.com namespaces="git" ` + string(ssh.MarshalAuthorizedKey(key.PublicKey()))
	signers, err := signature.ParseAllowedSigners([]byte(allowed))
	if err != nil {
		log.Fatal(err)
	}
	v := signature.NewSSHVerifier(signers, tagging.GitNamespace)

	// The verification time is explicit, never the tagger date.
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	res, err := tagging.Verify(ctx, repo, "v1.0.0", v, at)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Tag, res.Commit == commit, res.Signer.Format, res.Signer.Identity)

	_, err = tagging.Verify(ctx, repo, "v1.0.0", v.WithPrincipal("someone@example.com"), at)
	fmt.Println(err)
	// Output:
	// v1.0.0 true ssh bot@example.com
	// verify tag v1.0.0: signature: principal not allowed: "someone@example.com" on line 1
}

func ExampleValidateName() {
	for _, name := range []string{"v1.2.3", "api/v1.2.3", "v1..2", "-v1", "v1.lock"} {
		fmt.Println(name, tagging.ValidateName(name) == nil)
	}
	// Output:
	// v1.2.3 true
	// api/v1.2.3 true
	// v1..2 false
	// -v1 false
	// v1.lock false
}
