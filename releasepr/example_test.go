package releasepr_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/releasekit/releasekit/releasepr"
)

// commit writes files and commits them in repo's work tree.
func commit(repo *git.Repository, msg string, files map[string]string, at time.Time) plumbing.Hash {
	wt, _ := repo.Worktree()
	for name, content := range files {
		f, _ := wt.Filesystem.Create(name)
		f.Write([]byte(content))
		f.Close()
		wt.Add(name)
	}
	sig := &object.Signature{Name: "Ada", Email: "ada@example.com", When: at}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		panic(err)
	}
	return h
}

func ExamplePlan() {
	repo, _ := git.Init(memory.NewStorage(), memfs.New())
	repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, "refs/heads/main"))
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	first := commit(repo, "feat: catalogue", map[string]string{"composer.json": "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.2.0\"\n}\n"}, at)
	sig := &object.Signature{Name: "Ada", Email: "ada@example.com", When: at}
	repo.CreateTag("v1.2.0", first, &git.CreateTagOptions{Tagger: sig, Message: "Release v1.2.0"})
	commit(repo, "feat(checkout): pay by invoice (#12)", map[string]string{"checkout.php": "<?php\n"}, at.Add(time.Hour))

	p, err := releasepr.Plan(context.Background(), releasepr.Request{Repo: repo, Base: "main", Now: at,
		Components: []releasepr.Component{{VersionFiles: []string{"composer.json"}}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.State, p.Branch)
	fmt.Println(p.Title)
	for _, e := range p.Edits {
		fmt.Printf("%s:\n%s", e.Path, e.After)
	}
	fmt.Println(p.OnMerge[0])
	// Output:
	// open releasekit/release/main
	// chore(release): v1.3.0
	// composer.json:
	// {
	//     "name": "shop/app",
	//     "version": "1.3.0"
	// }
	// tag v1.3.0 (annotated, signed) at the merge commit on main, publish its release with these notes, and record it
}

func ExampleParseBody() {
	// A body as GitHub's web editor saves it (CRLF), then one whose block
	// gives a key twice, then one without a block.
	body := "Release v1.3.0\r\n\r\n<!-- releasekit:plan\r\n{\"base\": \"main\", \"base_commit\": \"4b825dc6\", \"releases\": [{\"version\": \"1.3.0\", \"tag\": \"v1.3.0\", \"commits\": 2}]}\r\n-->\r\n"
	base, commit, releases, err := releasepr.ParseBody(body)
	fmt.Println(base, commit, releases[0].Tag, err)

	_, _, _, err = releasepr.ParseBody("<!-- releasekit:plan\n{\"base\": \"main\", \"base\": \"evil\"}\n-->\n")
	var be *releasepr.BodyError
	fmt.Println(errors.As(err, &be), be.Reason)

	_, _, _, err = releasepr.ParseBody("Bump the dependencies")
	fmt.Println(errors.Is(err, releasepr.ErrNoPlan))
	// Output:
	// main 4b825dc6 v1.3.0 <nil>
	// true a key given twice
	// true
}
