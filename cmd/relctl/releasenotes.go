package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/semver"
)

// releaseNotesUsage documents `relctl release-notes`.
const releaseNotesUsage = `Usage: relctl release-notes --release TAG [--repo DIR] [--prefix v] [--format markdown|json] [--out FILE]
               [--config FILE] (--store DIR | --git-store REPO | --oci-store REF)

Writes the release notes of policy §1.20.3.2 from the §2.6.3.1 template,
with every section (Summary, Highlights, Release metadata, Customer-impacting
changes, Fixes, Operational notes, Known issues, Risks and mitigations,
Artifacts, SBOM and provenance, Validation evidence, Approvals and promotion
status, Rollback plan), from:
  - the release record of TAG in the evidence store (tag, commit, artifacts and
    digests, SBOM, provenance, checks, known issues, production window,
    rollback plan);
  - the changelog: the commits between the previous release and TAG, as
    relctl changelog computes them;
  - the promotion log (verified first): TAG's promotions and deployments.
Data nobody recorded is printed as "not recorded" (or "not provided"), never
guessed; "none" means the record says there is none. The record's extra keys
add what it has no field for (lists separated by ";", "none" for none):
extra.summary, extra.highlights, extra.deprecations, extra.operational_notes,
extra.feature_flags, extra.risk, extra.mitigations, extra.source_branch,
extra.rollback_steps, extra.decision.

A release without a record, or whose tag is not in the repository, is bad
input (exit 2); a record whose commit is not the tag's, or a log that does
not verify, exit 1.

Flags:`

// cmdReleaseNotes implements `relctl release-notes`.
func cmdReleaseNotes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("release-notes", stderr)
	sf := addStoreFlags(fs)
	release := fs.String("release", "", "release `TAG` (required)")
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository around the working directory)")
	prefix := fs.String("prefix", "v", "tag scheme `PREFIX` used to find the previous release")
	format := fs.String("format", "markdown", "output `FORMAT`: markdown or json")
	out := fs.String("out", "", "write the notes to `FILE` (atomically) instead of standard output")
	cfgFlag := addConfigFlag(fs)
	cf := addChangeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, releaseNotesUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *release == "" {
		return usagef("--release is required")
	}
	if *format != "markdown" && *format != "json" {
		return usagef("--format %q: want markdown or json", *format)
	}
	if *sf.json {
		*format = "json"
	}
	cfg, err := loadConfig(*cfgFlag, ".")
	if err != nil {
		return err
	}
	st, err := configStore(sf, cfg)
	if err != nil {
		return err
	}
	rec, err := st.Record(ctx, *release)
	if errors.Is(err, manifest.ErrNotFound) {
		return usageError{fmt.Errorf("release %s has no release record (relctl record init creates it): %w", *release, err)}
	}
	if err != nil {
		return evidenceErr(err)
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		return fmt.Errorf("promotion log: %w", err)
	}

	repo, _, err := openRepo(*repoDir, stderr)
	if err != nil {
		return err
	}
	tagRef, err := repo.Tag(*release)
	if err != nil {
		return usageError{fmt.Errorf("release %s: no such tag in the repository: %w", *release, err)}
	}
	to, signed, err := tagTarget(repo, tagRef)
	if err != nil {
		return err
	}
	if rec.Commit != "" && rec.Commit != to.String() {
		return fmt.Errorf("release %s: the record's commit %s is not the tag's %s", *release, rec.Commit, to)
	}
	rel, err := oneRelease(ctx, repo, to, semver.Scheme{Prefix: *prefix}, "", *release, false, "", cf.parseOptions())
	if err != nil {
		return err
	}
	c, err := tipCommit(ctx, repo, to)
	if err != nil {
		return err
	}
	rel.Date = c.Committer.When.UTC()
	// The changelog's sections, and security and deprecation commits,
	// which the notes list under Fixes and Customer-impacting changes.
	sections := append(changelog.DefaultSections(),
		changelog.SectionConfig{Type: "security", Title: "Security"}, changelog.SectionConfig{Type: "deprecate", Title: "Deprecations"})
	opts := []changelog.Option{changelog.WithSections(sections)}
	if links, ok := originLinks(repo); ok {
		opts = append(opts, changelog.WithLinks(links))
	}
	notes := changelog.Build(rel, opts...)
	meta := notesMetadata(rec, entries, signed, to.String())

	var buf bytes.Buffer
	if *format == "json" {
		err = changelog.WriteReleaseNotesJSON(&buf, notes, meta)
	} else {
		err = changelog.WriteReleaseNotes(&buf, notes, meta)
	}
	if err != nil {
		return err
	}
	if *out != "" {
		if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
			return fmt.Errorf("--out %s: %w", *out, err)
		}
		fmt.Fprintf(stderr, "relctl: wrote the release notes of %s to %s\n", *release, *out)
		return nil
	}
	_, err = stdout.Write(buf.Bytes())
	return err
}

// tagTarget returns the commit tag points to and whether it is an
// annotated tag carrying a signature (not verified here: relctl verify
// does that).
func tagTarget(repo *git.Repository, ref *plumbing.Reference) (plumbing.Hash, bool, error) {
	h := ref.Hash()
	signed := false
	for range 8 { // a tag of a tag of a commit …
		t, err := repo.TagObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return h, signed, nil // a lightweight tag, or the commit reached
		}
		if err != nil {
			return h, false, fmt.Errorf("read tag %s: %w", ref.Name().Short(), err)
		}
		signed = signed || t.PGPSignature != "" || strings.Contains(t.Message, "-----BEGIN SSH SIGNATURE-----")
		h = t.Target
	}
	return h, false, fmt.Errorf("read tag %s: too many nested tags", ref.Name().Short())
}

// notesMetadata is what the release notes take from the record and the
// log: nothing is filled in that neither holds.
func notesMetadata(rec manifest.Record, entries []manifest.Entry, signed bool, commit string) changelog.Metadata {
	m := changelog.Metadata{
		Tag:          rec.Tag,
		Signed:       signed,
		Commit:       commit,
		SourceBranch: rec.Extra["source_branch"],
		Provenance:   rec.Provenance.Ref,
		SBOM:         rec.SBOM.Ref,
		SBOMDigest:   rec.SBOM.Digest,
		PipelineRun:  rec.Provenance.BuildID,
		Summary:      rec.Extra["summary"],
		RiskLevel:    rec.Extra["risk"],
		KnownIssues:  rec.KnownIssues,
		Rollback: changelog.Rollback{
			Method: rec.Rollback.Method, Version: rec.Rollback.Version, Digest: rec.Rollback.Digest,
			Steps: extraList(rec.Extra, "rollback_steps"),
		},
		Highlights:       extraList(rec.Extra, "highlights"),
		Deprecations:     extraList(rec.Extra, "deprecations"),
		OperationalNotes: extraList(rec.Extra, "operational_notes"),
		FeatureFlags:     extraList(rec.Extra, "feature_flags"),
		Mitigations:      extraList(rec.Extra, "mitigations"),
		Promotions:       []changelog.Promotion{}, // the log was read: none is none
		Deployments:      []changelog.Deployment{},
	}
	for _, a := range rec.Artifacts {
		m.Artifacts = append(m.Artifacts, changelog.Artifact{Name: a.Name, Registry: a.URI, Digest: a.Digest})
	}
	for _, c := range rec.Checks {
		r := "fail"
		if c.Passed {
			r = "pass"
		}
		m.Checks = append(m.Checks, changelog.Check{Name: c.Name, Result: r, Link: c.URL})
	}
	if !rec.Window.Start.IsZero() || !rec.Window.End.IsZero() {
		m.Window = windowText(rec.Window.Start) + " to " + windowText(rec.Window.End)
	}
	decision := rec.Extra["decision"]
	for _, e := range entries {
		switch {
		case e.Kind == manifest.KindPromotion && e.Promotion != nil && e.Promotion.Release == rec.Tag && e.Promotion.Manifest == nil:
			p := e.Promotion
			np := changelog.Promotion{Environment: p.Env, Time: p.PromotedAt, Approver: p.Approver, Emergency: p.Emergency != nil, Rollback: p.RollbackFrom != ""}
			if p.Production {
				np.Decision = decision
			}
			m.Promotions = append(m.Promotions, np)
		case e.Kind == manifest.KindDeployment && e.Deploy != nil && e.Deploy.Release == rec.Tag:
			d := e.Deploy
			m.Deployments = append(m.Deployments, changelog.Deployment{Environment: d.Env, Result: d.Result, Time: d.At, Targets: d.Targets, Error: d.Error})
		}
	}
	return m
}

func windowText(t time.Time) string {
	if t.IsZero() {
		return "not provided"
	}
	return t.UTC().Format(time.RFC3339)
}

// extraList reads a ";"-separated list from the record's extra key: nil
// when the key is absent (not recorded), empty for "none".
func extraList(x manifest.Extras, key string) []string {
	v, ok := x[key]
	if !ok {
		return nil
	}
	out := []string{}
	if strings.TrimSpace(v) == "none" {
		return out
	}
	for _, s := range strings.Split(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
