// Command audit answers an auditor's questions from what the release
// workflows leave behind (§1.5.2 minimum audit trail, §1.7 success metrics,
// §1.21.3.4 audit logging and evidence collection): who deployed a change
// and why, which production releases contain a change, what changed between
// two releases, the evidence bundle of a release verified offline, and the
// monthly release-health report with the delivery metrics.
//
// With no arguments it builds, in a temporary workspace, one release history
// with the releases the other examples make (internal/demohistory, with
// go-git and the public API; no git binary): v1.0.0 and v1.1.0 (normal changes), v1.2.0 (rolled back
// in production the same day), a backport on release/1.2 released as v1.2.1,
// the hotfix v1.2.2 of incident INC123 promoted at night as an emergency
// change and forward-ported to main, and v1.3.0. Every tag is signed, every
// artifact has its SBOM and signed provenance, every promotion went through
// the release policy's gate, and the promotion log has a signed checkpoint.
// The log also holds every attempt: two refused promotions (one by the
// change window, one by an identity that may not deploy) and the outcome of
// each production deployment, with its targets and the files it changed
// (v1.2.1's first deployment failed and was run again).
// Then it audits that history; the trails show who acted (verified from a
// CI token, or typed), the refused attempts and the deployment outcomes,
// and the report the deployment success rate and the refused attempts per
// environment:
//
//	go run ./examples/audit
//
// -dir keeps the workspace: history/ (repository, evidence, store), keys/
// (the auditor's allowed_signers, provenance key and log checkpoint),
// bundle/ (the evidence bundle of v1.2.2, its directory form and a tampered
// copy), report/ (the release-health report as HTML, Markdown and JSON) and
// evidence-gap/ (the evidence with one SBOM removed).
//
// On a real setup, give the repository, the store and the evidence the
// release pipeline wrote, the auditor's keys and a release; it prints the
// release's trail, builds and verifies its bundle and writes the report of
// the period:
//
//	go run ./examples/audit -repo PATH -store DIR -evidence DIR \
//		-allowed-signers FILE -provenance-key FILE [-checkpoint FILE] \
//		-release TAG -since 2026-01-01 -until 2026-02-01 [-dir DIR]
//
// -allowed-signers trusts the tag signers (namespace "git") and the log's
// checkpoint signers (namespace manifest.Namespace); -provenance-key is the
// PEM public key of the builder; -checkpoint is the signed checkpoint of the
// log, with its signature in FILE.sig.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
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

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/internal/demohistory"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "audit:", err)
		os.Exit(1)
	}
}

// The releases the demonstration audits: the production hotfix, the
// release that was rolled back, and the period of the monthly report.
const (
	hotfix     = "v1.2.2"
	rolledBack = "v1.2.0"
	dateLayout = "2006-01-02"
)

var (
	since = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	until = time.Date(2026, time.February, 1, 0, 0, 0, 0, time.UTC)
)

// setup is what the audit reads: the sources, and the auditor's keys for
// bundles (the same keys, kept apart: bundle.Verify trusts only these).
type setup struct {
	work string // the workspace
	src  audit.Sources
	keys bundle.Keys
	// keyFiles names the files the keys were read from.
	keyFiles string
	// now is the date the report says it was generated.
	now time.Time
}

// run is the whole example. main_test.go calls it, so it writes to stdout and
// stderr and returns an error instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keep := fs.String("dir", "", "keep the workspace in this directory")
	repoPath := fs.String("repo", "", "audit this repository instead of a new history")
	storeDir := fs.String("store", "", "with -repo: the release store (manifest.DirStore) `DIR`")
	evidenceDir := fs.String("evidence", "", "with -repo: the `DIR` the records' SBOM, provenance and artifact paths are relative to")
	signersFile := fs.String("allowed-signers", "", "with -repo: allowed_signers `FILE` for tags (namespace git) and the log checkpoint")
	provKey := fs.String("provenance-key", "", "with -repo: PEM public key `FILE` of the builder that signs provenance")
	cpFile := fs.String("checkpoint", "", "with -repo: signed log checkpoint `FILE` (signature in FILE.sig)")
	release := fs.String("release", "", "with -repo: the release `TAG` to audit")
	sinceFlag := fs.String("since", "", "with -repo: first day of the report's period, YYYY-MM-DD")
	untilFlag := fs.String("until", "", "with -repo: day after the report's period, YYYY-MM-DD")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	work := *keep
	if work == "" {
		tmp, err := os.MkdirTemp("", "audit-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	say := func(step int, format string, a ...any) {
		fmt.Fprintf(stdout, "%2d. %s\n", step, fmt.Sprintf(format, a...))
	}

	if *repoPath == "" {
		return demo(ctx, work, say, stdout)
	}
	switch {
	case *storeDir == "" || *evidenceDir == "" || *signersFile == "" || *provKey == "" || *release == "" || *sinceFlag == "" || *untilFlag == "":
		return errors.New("-repo needs -store, -evidence, -allowed-signers, -provenance-key, -release, -since and -until")
	}
	from, err := time.Parse(dateLayout, *sinceFlag)
	if err != nil {
		return fmt.Errorf("-since: %w", err)
	}
	to, err := time.Parse(dateLayout, *untilFlag)
	if err != nil {
		return fmt.Errorf("-until: %w", err)
	}
	if !from.Before(to) {
		return fmt.Errorf("-since %s is not before -until %s", *sinceFlag, *untilFlag)
	}
	s, err := openSetup(ctx, work, *repoPath, *storeDir, *evidenceDir, *signersFile, *provKey, *cpFile)
	if err != nil {
		return err
	}
	say(1, "repository %s, store %s, evidence %s; signatures verified at %s", *repoPath, *storeDir, *evidenceDir, s.src.At.Format(time.RFC3339))
	if _, err := trailStep(ctx, s, 2, *release, say, stdout); err != nil {
		return err
	}
	if _, err := bundleStep(ctx, s, 5, *release, say, stdout); err != nil {
		return err
	}
	return reportStep(ctx, s, 6, from, to, say, stdout)
}

// sayFunc prints one step.
type sayFunc func(step int, format string, a ...any)

// demo builds the history in work/history and audits it.
func demo(ctx context.Context, work string, say sayFunc, stdout io.Writer) error {
	hist := filepath.Join(work, "history")
	if err := os.Mkdir(hist, 0o755); err != nil {
		return fmt.Errorf("workspace: %w (use a new or empty -dir)", err)
	}
	f, err := demohistory.Build(ctx, demohistory.NumberedDirs(hist))
	if err != nil {
		return fmt.Errorf("1. build the history: %w", err)
	}
	s := setup{work: work, src: f.Sources, now: f.At}
	// The auditor's keys are files, as an auditor receives them: read them
	// back rather than reusing the history's verifiers.
	if err := writeKeys(work, f); err != nil {
		return fmt.Errorf("1. keys: %w", err)
	}
	keyDir := filepath.Join(work, "keys")
	s.keys, err = auditorKeys(filepath.Join(keyDir, "allowed_signers"), filepath.Join(keyDir, "provenance.pub"))
	if err != nil {
		return fmt.Errorf("1. keys: %w", err)
	}
	s.keys.At = f.At
	s.keyFiles = "keys/allowed_signers, keys/provenance.pub"

	// 1. The history: what was released, and what production ran, from
	// the log verified against its signed checkpoint.
	if err := historyStep(ctx, s, f, say, stdout); err != nil {
		return err
	}

	// 2. Who deployed this change and why? The production hotfix, and
	// the release that was rolled back.
	tr, err := trailStep(ctx, s, 2, hotfix, say, stdout)
	if err != nil {
		return err
	}
	if tr.Err() != nil {
		return fmt.Errorf("2. trail of %s: %w", hotfix, tr.Err())
	}
	if _, err := trailStep(ctx, s, 2, rolledBack, say, stdout); err != nil {
		return err
	}

	// 3. Which production releases contain this change?
	if err := lookupStep(ctx, s, f, say, stdout); err != nil {
		return err
	}

	// 4. What changed between two production releases?
	for _, p := range [][2]string{{"v1.1.0", "v1.2.0"}, {hotfix, "v1.3.0"}} {
		if err := compareStep(ctx, s, p[0], p[1], say, stdout); err != nil {
			return err
		}
	}

	// 5. The evidence bundle, verified offline, then tampered with.
	dir, err := bundleStep(ctx, s, 5, hotfix, say, stdout)
	if err != nil {
		return err
	}
	if err := tamperStep(ctx, s, dir, say, stdout); err != nil {
		return err
	}

	// 6. The delivery metrics and the monthly release-health report.
	if err := reportStep(ctx, s, 6, since, until, say, stdout); err != nil {
		return err
	}

	// 7. A gap on purpose: one SBOM is gone.
	return gapStep(ctx, s, f, say, stdout)
}

// historyStep prints the releases and what production ran, from the log
// verified against the signed checkpoint.
func historyStep(ctx context.Context, s setup, f *demohistory.History, say sayFunc, stdout io.Writer) error {
	cp, err := manifest.OpenCheckpoint(ctx, s.src.Checkpoint, s.src.CheckpointSig, s.src.CheckpointVerifier, s.src.At)
	if err != nil {
		return fmt.Errorf("1. checkpoint: %w", err)
	}
	entries, err := manifest.VerifyStore(ctx, s.src.Store, &cp)
	if err != nil {
		return fmt.Errorf("1. log: %w", err)
	}
	say(1, "history: repository %s, evidence %s, store %s; %d releases; log of %d entries verified against the checkpoint signed by the log key (%d entries)",
		rel(s.work, f.Dir), rel(s.work, f.EvidenceDir), rel(s.work, f.StoreDir), len(f.Releases), len(entries), cp.Count)
	var lines []string
	for _, r := range f.Releases {
		rec, err := s.src.Store.Record(ctx, r.Tag)
		if err != nil {
			return fmt.Errorf("1. record %s: %w", r.Tag, err)
		}
		line := fmt.Sprintf("%-7s %s on %-20s", rec.Tag, short(rec.Commit), r.Branch)
		for _, e := range entries {
			p := e.Promotion
			if p == nil || p.Env != "prod" {
				continue
			}
			switch {
			case p.RollbackFrom == rec.Tag:
				line += fmt.Sprintf("; rolled back to %s at %s (entry %d, %s: %s)", p.Release, p.PromotedAt.Format("15:04"), e.Seq, p.Approver, p.Reason)
			case p.Release == rec.Tag && p.RollbackFrom == "":
				line += fmt.Sprintf(" prod %s (entry %d)", when(p.PromotedAt), e.Seq)
				if p.Emergency != nil {
					line += fmt.Sprintf(", emergency change %s approved by %s", p.Emergency.ID, p.Emergency.Approver)
				} else {
					line += fmt.Sprintf(", approved by %s in %s", p.Approver, p.Window)
				}
			case p.Release == rec.Tag:
				line += fmt.Sprintf("; back in prod at %s by the rollback of %s (entry %d)", p.PromotedAt.Format("15:04"), p.RollbackFrom, e.Seq)
			}
		}
		if hf := rec.Extra[audit.ExtraHotfixFor]; hf != "" {
			line += fmt.Sprintf("; hotfix of %s for %s", hf, rec.Extra[audit.ExtraIncident])
		}
		lines = append(lines, line)
	}
	quote(stdout, lines...)
	// Every attempt is in the log too: the refused ones, and the outcome of
	// each production deployment.
	var refused, outcomes, failed []string
	for _, e := range entries {
		switch {
		case e.Denial != nil:
			refused = append(refused, fmt.Sprintf("%s %s to %s (entry %d), by %s", e.Denial.Action, e.Denial.Release, e.Denial.Env, e.Seq, controlList(e.Denial.Controls)))
		case e.Deploy != nil:
			outcomes = append(outcomes, fmt.Sprint(e.Seq))
			if e.Deploy.Result == manifest.ResultFailed {
				failed = append(failed, fmt.Sprintf("%s on %s (entry %d): %s", e.Deploy.Release, strings.Join(e.Deploy.Targets, ", "), e.Seq, e.Deploy.Error))
			}
		}
	}
	say(1, "the log also holds %d refused attempt(s) and %d deployment outcome(s), %d failed", len(refused), len(outcomes), len(failed))
	quote(stdout, append(prefix("refused ", refused), prefix("failed ", failed)...)...)
	cur, ok := manifest.Current(entries, "prod")
	if !ok {
		return errors.New("1. nothing runs in prod")
	}
	say(1, "prod runs %s %s per the log", cur.Release, cur.Digest)
	return nil
}

// trailStep prints the audit trail of release.
func trailStep(ctx context.Context, s setup, step int, release string, say sayFunc, stdout io.Writer) (*audit.TrailReport, error) {
	rep, err := audit.Trail(ctx, s.src, audit.Query{Release: release})
	if err != nil {
		return nil, fmt.Errorf("%d. trail of %s: %w", step, release, err)
	}
	for _, t := range rep.Releases {
		head := fmt.Sprintf("Who deployed %s and why? trail %s (%s): %s", t.Release, t.Range, short(t.Commit), t.Status)
		if t.HotfixFor != "" {
			head += fmt.Sprintf(", hotfix of %s", t.HotfixFor)
		}
		if t.Incident != "" {
			head += fmt.Sprintf(" for incident %s", t.Incident)
		}
		if rb := t.Steps(audit.StepRollback); len(rb) > 0 {
			head += fmt.Sprintf(", rolled back in %s", rb[0].ID)
		}
		say(step, "%s", head)
		for _, l := range t.Links {
			quote(stdout, describe(l))
		}
	}
	return rep, nil
}

// lookupStep answers "which production releases contain this change" for
// the backported fix, the hotfix and a ticket.
func lookupStep(ctx context.Context, s setup, f *demohistory.History, say sayFunc, stdout io.Writer) error {
	for _, q := range []struct{ what, rev string }{
		{"the fix backported to release/1.2", f.Commits.Fix},
		{"the hotfix forward-ported to main", f.Commits.Hotfix},
	} {
		rep, err := audit.Lookup(ctx, s.src, q.rev)
		if err != nil {
			return fmt.Errorf("3. lookup %s: %w", q.rev, err)
		}
		say(3, "which production releases contain %s (%s)? %s", short(q.rev), q.what, releases(rep))
		quote(stdout, containments(rep)...)
	}
	// A ticket, and the production incident the hotfix responds to
	// (§1.7.5: map an incident to its releases).
	for _, q := range []struct{ what, id string }{{"ticket", "SHOP-5"}, {"incident", "INC123"}} {
		rep, err := audit.LookupTicket(ctx, s.src, q.id)
		if err != nil {
			return fmt.Errorf("3. lookup %s: %w", q.id, err)
		}
		say(3, "which production releases contain %s %s? %s", q.what, q.id, releases(rep))
		quote(stdout, containments(rep)...)
	}
	return nil
}

// compareStep prints what changed from one release to the next.
func compareStep(ctx context.Context, s setup, from, to string, say sayFunc, stdout io.Writer) error {
	c, err := audit.Compare(ctx, s.src, from, to)
	if err != nil {
		return fmt.Errorf("4. compare %s %s: %w", from, to, err)
	}
	say(4, "what changed from %s to %s? %d commit(s), tickets %s, pull requests %s", from, to,
		len(c.Commits), strings.Join(c.Tickets, " "), strings.Join(c.PRs, " "))
	var lines []string
	for _, cm := range c.Commits {
		line := fmt.Sprintf("commit %s %s (%s)", short(cm.Hash), cm.Subject, cm.Author)
		for _, o := range cm.CherryPickedFrom {
			line += fmt.Sprintf(", cherry-pick of %s", short(o))
		}
		lines = append(lines, line)
	}
	for _, a := range c.Artifacts {
		if a.Err != nil {
			lines = append(lines, fmt.Sprintf("artifact %s: %v", a.Name, a.Err))
			continue
		}
		if a.Files == nil {
			lines = append(lines, fmt.Sprintf("artifact %s %s: %s", a.Name, a.Change, a.Reason))
			continue
		}
		lines = append(lines, fmt.Sprintf("artifact %s %s → %s: %d added, %d removed, %d changed, %d unchanged (by SHA-256)",
			a.Name, shortDigest(a.From), shortDigest(a.To), len(a.Files.Added), len(a.Files.Removed), len(a.Files.Changed), a.Files.Unchanged))
		for _, x := range a.Files.Added {
			lines = append(lines, fmt.Sprintf("  + %s %s", x.Path, x.SHA256[:12]))
		}
		for _, x := range a.Files.Removed {
			lines = append(lines, fmt.Sprintf("  - %s %s", x.Path, x.SHA256[:12]))
		}
		for _, x := range a.Files.Changed {
			lines = append(lines, fmt.Sprintf("  ~ %s %s → %s", x.Path, x.FromSHA256[:12], x.ToSHA256[:12]))
		}
	}
	quote(stdout, lines...)
	return nil
}

// bundleStep builds the evidence bundle of release twice, writes it as a
// tar.gz and as a directory under work/bundle, and verifies the archive
// offline with the auditor's keys. It returns the directory form.
func bundleStep(ctx context.Context, s setup, step int, release string, say sayFunc, stdout io.Writer) (string, error) {
	dir := filepath.Join(s.work, "bundle")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var archives [2][]byte
	var b *bundle.Bundle
	for i := range archives {
		var err error
		if b, err = bundle.Build(ctx, s.src, release); err != nil {
			return "", fmt.Errorf("%d. bundle %s: %w", step, release, err)
		}
		var buf bytes.Buffer
		if err := b.WriteTarGz(&buf); err != nil {
			return "", fmt.Errorf("%d. bundle %s: %w", step, release, err)
		}
		archives[i] = buf.Bytes()
	}
	if !bytes.Equal(archives[0], archives[1]) {
		return "", fmt.Errorf("%d. bundle %s: two builds differ", step, release)
	}
	// Both forms are new files: an earlier bundle in the workspace is
	// evidence too, never overwritten.
	tree := filepath.Join(dir, release)
	if err := b.WriteDir(tree); err != nil {
		return "", fmt.Errorf("%d. bundle %s: %w", step, release, err)
	}
	file := filepath.Join(dir, release+".tar.gz")
	if err := writeNew(file, archives[0]); err != nil {
		return "", fmt.Errorf("%d. bundle %s: %w", step, release, err)
	}
	sum := sha256.Sum256(archives[0])
	say(step, "evidence bundle %s: %d files, %d bytes, sha256:%x; built twice, same bytes; unpacked in %s",
		rel(s.work, file), len(b.Names()), len(archives[0]), sum, rel(s.work, tree))

	// The auditor reads the archive from disk and trusts only their keys.
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	read, err := bundle.Read(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("%d. read %s: %w", step, rel(s.work, file), err)
	}
	rep, err := bundle.Verify(ctx, read, s.keys)
	say(step, "verified offline with the auditor's keys (%s): %s (%d log entries, checkpoint of %d)", s.keyFiles, bundle.StatusText(rep.Status()), rep.LogEntries, checkpointCount(rep))
	var lines []string
	for _, c := range rep.Checks {
		lines = append(lines, fmt.Sprintf("%-13s %-4s %s", c.Name, bundle.StatusText(c.Status), c.Detail))
	}
	quote(stdout, lines...)
	if err != nil {
		return "", fmt.Errorf("%d. verify %s: %w", step, rel(s.work, file), err)
	}
	return tree, nil
}

// tamperStep edits the approver of the production promotion in a copy of
// the bundle's directory form, and verifies it: the edit is found.
func tamperStep(ctx context.Context, s setup, tree string, say sayFunc, stdout io.Writer) error {
	bad := tree + "-tampered"
	if err := os.CopyFS(bad, os.DirFS(tree)); err != nil {
		return fmt.Errorf("5. copy the bundle: %w", err)
	}
	name, err := editApprover(bad, "prod", "mallory@example.com")
	if err != nil {
		return fmt.Errorf("5. tamper: %w", err)
	}
	root, err := os.OpenRoot(bad)
	if err != nil {
		return err
	}
	defer root.Close()
	b, err := bundle.ReadDir(root.FS())
	if err != nil {
		return fmt.Errorf("5. read %s: %w", rel(s.work, bad), err)
	}
	rep, err := bundle.Verify(ctx, b, s.keys)
	if err == nil {
		return fmt.Errorf("5. the tampered bundle %s verifies", rel(s.work, bad))
	}
	var de *bundle.DigestError
	if !errors.As(err, &de) {
		return fmt.Errorf("5. the tampered bundle fails for another reason: %w", err)
	}
	say(5, "tampered copy %s (prod approver in %s set to mallory@example.com): %s", rel(s.work, bad), name, bundle.StatusText(rep.Status()))
	var lines []string
	for _, c := range rep.Checks {
		if c.Status == audit.Failed {
			for _, e := range c.Errs {
				lines = append(lines, fmt.Sprintf("%s fail: %v", c.Name, e))
			}
		}
	}
	quote(stdout, lines...)
	return nil
}

// reportStep collects the history, prints the delivery metrics of
// [from, to) with the records each came from, and writes the release-health
// report under work/report.
func reportStep(ctx context.Context, s setup, step int, from, to time.Time, say sayFunc, stdout io.Writer) error {
	h, err := metrics.Collect(ctx, s.src)
	if err != nil {
		return fmt.Errorf("%d. collect: %w", step, err)
	}
	m := metrics.Compute(h, from, to, nil).Overall
	say(step, "delivery metrics %s to %s (log %s, %d releases, %d gaps collecting):",
		from.Format(dateLayout), to.Format(dateLayout), metrics.StatusLabel(h.Log.State), len(h.Releases), len(h.Gaps))
	var lines []string
	if m.LeadTime.Known() {
		lines = append(lines, fmt.Sprintf("lead time for changes: median %s, p90 %s (%d releases)",
			dur(m.LeadTime.Median), dur(m.LeadTime.P90), len(m.LeadTime.Samples)))
		for _, x := range m.LeadTime.Samples {
			lines = append(lines, fmt.Sprintf("  %s %s: %s first commit %s → prod, %s", x.Release, dur(x.Duration), when(x.From), short(first(x.Refs)), entries(x.Seqs)))
		}
	} else {
		lines = append(lines, "lead time for changes: no data")
	}
	if m.Deployments.Known() {
		var ds []string
		for _, x := range m.Deployments.Samples {
			ds = append(ds, fmt.Sprintf("%s (%s)", x.Release, entries(x.Seqs)))
		}
		lines = append(lines, fmt.Sprintf("deployment frequency: %.2f per week, %d production deployments in %.0f days: %s",
			m.Deployments.PerWeek(), m.Deployments.Count, m.Deployments.Days, strings.Join(ds, ", ")))
	} else {
		lines = append(lines, "deployment frequency: no data")
	}
	if m.ChangeFailure.Known() {
		lines = append(lines, fmt.Sprintf("change failure rate: %.1f%% (%d of %d deployments)", m.ChangeFailure.Percent(), m.ChangeFailure.Num, m.ChangeFailure.Den))
		for _, x := range m.ChangeFailure.Samples {
			if x.Hit {
				lines = append(lines, fmt.Sprintf("  %s failed: %s (%s)", x.Release, x.Note, entries(x.Seqs)))
			}
		}
	} else {
		lines = append(lines, "change failure rate: no data")
	}
	if m.Restore.Known() {
		lines = append(lines, fmt.Sprintf("time to restore: median %s, mean %s, p90 %s (%d restorations)",
			dur(m.Restore.Median), dur(m.Restore.Mean), dur(m.Restore.P90), len(m.Restore.Samples)))
		for _, x := range m.Restore.Samples {
			lines = append(lines, fmt.Sprintf("  %s %s: %s (%s)", x.Release, dur(x.Duration), x.Note, entries(x.Seqs)))
		}
	} else {
		lines = append(lines, "time to restore: no data")
	}
	if f := m.DeploymentOutcomes; f.Known() {
		lines = append(lines, fmt.Sprintf("deployment success rate: %.1f%% (%d of %d deployment attempts reported in the log)", f.Percent(), f.Num, f.Den))
		for _, x := range f.Samples {
			if !x.Hit {
				lines = append(lines, fmt.Sprintf("  %s on %s (%s): %s", x.Release, strings.Join(x.Refs, ", "), entries(x.Seqs), x.Note))
			}
		}
	} else {
		lines = append(lines, "deployment success rate: no data")
	}
	if f := m.Refused; f.Known() {
		lines = append(lines, fmt.Sprintf("refused attempts: %d", f.Count))
		for _, e := range f.Envs {
			var cs []string
			for _, c := range e.Controls {
				name := c.Control
				if name == "" {
					name = "no control named"
				}
				cs = append(cs, fmt.Sprintf("%s %d", name, c.Count))
			}
			lines = append(lines, fmt.Sprintf("  %s: %d (%s)", e.Env, e.Count, strings.Join(cs, ", ")))
		}
	} else {
		lines = append(lines, "refused attempts: no data")
	}
	quote(stdout, lines...)

	rep := metrics.BuildReport(h, from, to, nil, s.now)
	dir := filepath.Join(s.work, "report")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, "release-health-"+from.Format("2006-01"))
	var files []string
	for _, w := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".html", rep.WriteHTML}, {".md", rep.WriteMarkdown}, {".json", rep.WriteJSON}} {
		var buf bytes.Buffer
		if err := w.write(&buf); err != nil {
			return fmt.Errorf("%d. report %s: %w", step, w.ext, err)
		}
		if err := os.WriteFile(base+w.ext, buf.Bytes(), 0o644); err != nil {
			return err
		}
		files = append(files, rel(s.work, base+w.ext))
	}
	complete := 0
	for _, r := range rep.Releases {
		if r.EvidenceOK() {
			complete++
		}
	}
	say(step, "release-health report %s: %d releases deployed, %d with complete evidence, %d emergency change(s), %d rollback(s), %d exception(s), %d refused attempt(s), %d failed deployment(s), %d gap(s)",
		strings.Join(files, ", "), len(rep.Releases), complete, len(rep.Emergencies), len(rep.Rollbacks), len(rep.Exceptions), len(rep.Refusals), len(rep.FailedDeployments), len(rep.Gaps))
	return nil
}

// gapStep removes the SBOM of the hotfix from a copy of the evidence and
// shows the trail reporting it as a gap.
func gapStep(ctx context.Context, s setup, f *demohistory.History, say sayFunc, stdout io.Writer) error {
	r, _ := f.Release(hotfix)
	dir := filepath.Join(s.work, "evidence-gap")
	if err := os.CopyFS(dir, os.DirFS(f.EvidenceDir)); err != nil {
		return fmt.Errorf("7. copy the evidence: %w", err)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(r.SBOM))); err != nil {
		return fmt.Errorf("7. %w", err)
	}
	src := s.src
	src.Evidence = os.DirFS(dir)
	rep, err := audit.Trail(ctx, src, audit.Query{Release: hotfix})
	if err != nil {
		return fmt.Errorf("7. trail of %s: %w", hotfix, err)
	}
	t := rep.Releases[0]
	say(7, "%s removed from a copy of the evidence (%s): trail of %s is %s; Err wraps audit.ErrMissingEvidence: %t",
		r.SBOM, rel(s.work, dir), hotfix, t.Status, errors.Is(rep.Err(), audit.ErrMissingEvidence))
	var lines []string
	for _, l := range t.Links {
		if l.Status == audit.Gap || l.Status == audit.Failed {
			lines = append(lines, describe(l))
		}
	}
	quote(stdout, lines...)
	_, err = bundle.Build(ctx, src, hotfix)
	if !errors.Is(err, bundle.ErrSource) {
		return fmt.Errorf("7. bundle without its SBOM: %v, want bundle.ErrSource", err)
	}
	say(7, "no bundle of %s without its SBOM: bundle.Build refuses with bundle.ErrSource", hotfix)
	return nil
}

// openSetup opens the sources and the auditor's keys of a real setup.
func openSetup(ctx context.Context, work, repoPath, storeDir, evidenceDir, signersFile, provKey, cpFile string) (setup, error) {
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		return setup{}, fmt.Errorf("open %s: %w", repoPath, err)
	}
	st, err := manifest.NewDirStore(storeDir)
	if err != nil {
		return setup{}, fmt.Errorf("store %s: %w", storeDir, err)
	}
	keys, err := auditorKeys(signersFile, provKey)
	if err != nil {
		return setup{}, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	s := setup{work: work, now: now, keys: keys, keyFiles: signersFile + ", " + provKey, src: audit.Sources{
		Repo: repo, Store: st, Evidence: os.DirFS(evidenceDir),
		TagVerifier: keys.Tag, ProvenanceVerifiers: keys.Provenance, CheckpointVerifier: keys.Checkpoint,
		At: now,
	}}
	if cpFile != "" {
		if s.src.Checkpoint, err = os.ReadFile(cpFile); err != nil {
			return setup{}, err
		}
		if s.src.CheckpointSig, err = os.ReadFile(cpFile + ".sig"); err != nil {
			return setup{}, err
		}
		if _, err := manifest.OpenCheckpoint(ctx, s.src.Checkpoint, s.src.CheckpointSig, keys.Checkpoint, now); err != nil {
			return setup{}, fmt.Errorf("checkpoint %s: %w", cpFile, err)
		}
	}
	return s, nil
}

// auditorKeys reads the auditor's keys: allowed_signers for the tags
// (namespace git) and the log checkpoint (manifest.Namespace), and the
// builder's PEM public key for provenance.
func auditorKeys(signersFile, provKey string) (bundle.Keys, error) {
	data, err := os.ReadFile(signersFile)
	if err != nil {
		return bundle.Keys{}, err
	}
	signers, err := signature.ParseAllowedSigners(data)
	if err != nil {
		return bundle.Keys{}, fmt.Errorf("%s: %w", signersFile, err)
	}
	pem, err := os.ReadFile(provKey)
	if err != nil {
		return bundle.Keys{}, err
	}
	prov, err := signature.ParsePublicKeyPEM(pem)
	if err != nil {
		return bundle.Keys{}, fmt.Errorf("%s: %w", provKey, err)
	}
	logVerifier := signature.NewSSHVerifier(signers, manifest.Namespace)
	return bundle.Keys{
		Tag:        signature.NewSSHVerifier(signers, tagging.GitNamespace),
		Provenance: []signature.Verifier{prov},
		Checkpoint: logVerifier,
	}, nil
}

// releases lists the releases of a lookup.
func releases(rep *audit.LookupReport) string {
	var rs []string
	for _, c := range rep.Releases {
		rs = append(rs, c.Release)
	}
	if len(rs) == 0 {
		return "none"
	}
	return strings.Join(rs, ", ")
}

// containments says how each release of a lookup contains the change.
func containments(rep *audit.LookupReport) []string {
	var lines []string
	for _, c := range rep.Releases {
		var via []string
		for _, v := range c.Via {
			s := v.How + " " + short(v.Commit)
			if !v.Introduced {
				s += " (from an earlier release)"
			}
			via = append(via, s)
		}
		state := "running in prod"
		if !c.Production.Running {
			state = "replaced by " + c.Production.ReplacedBy
			if c.Production.RolledBack {
				state = "rolled back to " + c.Production.ReplacedBy
			}
		}
		lines = append(lines, fmt.Sprintf("%-7s via %s; prod %s, %s", c.Release, strings.Join(via, ", "), when(c.Production.FirstPromotedAt), state))
	}
	return lines
}

func checkpointCount(rep *bundle.Report) uint64 {
	if rep.Checkpoint == nil {
		return 0
	}
	return rep.Checkpoint.Count
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// entries names log entries: "entry 3", "entries 9, 10".
func entries(s []uint64) string {
	var out []string
	for _, n := range s {
		out = append(out, fmt.Sprint(n))
	}
	if len(out) == 1 {
		return "entry " + out[0]
	}
	return "entries " + strings.Join(out, ", ")
}

// sortedCounts lists a gate's result counts in a fixed order.
func sortedCounts(counts map[string]int) string {
	var out []string
	for _, k := range []string{"pass", "fail", "waived", "not-applicable"} {
		if n, ok := counts[k]; ok {
			out = append(out, fmt.Sprintf("%d %s", n, k))
		}
	}
	var rest []string
	for k := range counts {
		if !slices.Contains([]string{"pass", "fail", "waived", "not-applicable"}, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(out, ", ")
}

// prefix returns lines, each after p.
func prefix(p string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}
