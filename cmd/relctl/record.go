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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
)

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
	sf.create = sub == "init"
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
			f, err := openInput("--file", *file)
			if err != nil {
				return err
			}
			h256, h512 := sha256.New(), sha512.New()
			_, err = io.Copy(io.MultiWriter(h256, h512), f)
			f.Close()
			if err != nil {
				return err
			}
			a.Digest, a.SHA512 = "sha256:"+hex.EncodeToString(h256.Sum(nil)), "sha512:"+hex.EncodeToString(h512.Sum(nil))
		}
		if rec, err = rec.WithArtifact(a); err != nil {
			return evidenceErr(err)
		}
	case "attach-sbom":
		if *art == "" || *sbomFile == "" {
			return usagef("--artifact and --sbom are required")
		}
		data, err := readInput("--sbom", *sbomFile, maxDocumentFile)
		if err != nil {
			return err
		}
		f, err := fileFormat(*sbomFile, "")
		if err != nil {
			return err
		}
		doc, err := sbom.Read(bytes.NewReader(data), f)
		if err != nil {
			return fmt.Errorf("%s: %w", *sbomFile, err)
		}
		// The SBOM must describe the record's artifact (§1.31.3.5):
		// checked here, when it is attached.
		if rec, err = rec.WithSBOM(*art, *sbomFile, data, doc); err != nil {
			var fe *manifest.FieldError
			if errors.As(err, &fe) && fe.Field == "artifact" {
				return usagef("record %s has no artifact %q", *release, *art)
			}
			return err
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
