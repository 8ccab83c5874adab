// Command genrepo writes a synthetic git repository with [gittest.Generate],
// for benchmarks that run whole commands (ours and peer tools) on the same
// history. The repository is not part of the source tree: put it outside
// it, or under the ignored /bench/.
//
// Usage:
//
//	go run ./internal/testkit/gittest/genrepo [flags] DIR
//
// For example, 100,000 commits, a release tag every 50 commits, a linear
// history, 20 commits since the last release, files under api/ and web/,
// and no commit-graph file:
//
//	go run ./internal/testkit/gittest/genrepo -commits 100000 -tag-every 50 -merge-every 0 \
//		-unreleased 20 -paths api/,web/ -commit-graph=false /tmp/r100k
//
// DIR must not exist or be empty. The same flags always give the same
// hashes. genrepo prints one line: the directory, the counts, HEAD, the
// size of .git and the time taken.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "genrepo:", err)
		os.Exit(1)
	}
}

// run is the whole command; tests call it. It writes its report to stdout
// and usage errors to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("genrepo", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var spec gittest.Spec
	fset.IntVar(&spec.Commits, "commits", 10000, "total number of commits reachable from HEAD")
	fset.IntVar(&spec.TagEvery, "tag-every", 50, "a release tag vX.Y.Z every `N` commits (0: no tags)")
	fset.BoolVar(&spec.LightweightTags, "lightweight-tags", false, "make lightweight tags instead of annotated ones")
	fset.IntVar(&spec.MergeEvery, "merge-every", 0, "merge a side branch of 1 to 4 commits about every `N` commits (0: linear)")
	fset.IntVar(&spec.Unreleased, "unreleased", 0, "`N` commits after the last tag (needs -tag-every)")
	paths := fset.String("paths", "", "comma-separated `dirs` that commits change (default src/)")
	fset.Int64Var(&spec.Seed, "seed", 0, "seed of the pseudo-random choices")
	fset.BoolVar(&spec.CommitGraph, "commit-graph", false, "write a commit-graph file")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "usage: genrepo [flags] DIR")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		fset.Usage()
		return errors.New("want exactly one directory")
	}
	dir := fset.Arg(0)
	if *paths != "" {
		spec.Paths = strings.Split(*paths, ",")
	}

	start := time.Now()
	if err := gittest.Generate(ctx, dir, spec); err != nil {
		return err
	}
	elapsed := time.Since(start)

	head, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return fmt.Errorf("read HEAD: %w", err)
	}
	tags, err := exec.CommandContext(ctx, "git", "-C", dir, "tag", "--list").Output()
	if err != nil {
		return fmt.Errorf("list tags: %w", err)
	}
	size, err := dirSize(filepath.Join(dir, ".git"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d commits, %d tags, HEAD %s, .git %.1f MiB, %.2fs\n",
		dir, spec.Commits, len(strings.Fields(string(tags))), strings.TrimSpace(string(head)),
		float64(size)/(1<<20), elapsed.Seconds())
	return nil
}

// dirSize returns the total size of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	return total, err
}
