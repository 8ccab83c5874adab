package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// changes adds the tickets, pull requests and commits of the release's
// range, matched against the record.
func (b *builder) changes() error {
	var cs []commits.Commit
	var rangeLink *Link
	if b.src.Repo == nil {
		l := b.gap(StepCommit, "", "no repository given: the commits of the release cannot be listed", nil)
		rangeLink = &l
		b.t.Range = ".." + b.rec.Tag
	} else {
		var err error
		cs, err = b.readRange()
		if err != nil {
			switch {
			case errors.Is(err, commits.ErrIncompleteHistory) || errors.Is(err, commits.ErrRevision) || errors.Is(err, plumbing.ErrObjectNotFound):
				l := b.gap(StepCommit, b.rec.Commit, "the release's commits are not in the repository", err)
				rangeLink = &l
			case errors.Is(err, semver.ErrAmbiguousVersion):
				l := b.gap(StepCommit, b.rec.Commit, "the previous release is ambiguous, so the release's range cannot be told", err)
				rangeLink = &l
			default:
				return err
			}
		}
	}

	// Tickets: the record's and those the commits name.
	inCommits := map[string]bool{}
	var order []string
	for _, c := range cs {
		for _, tk := range c.Tickets {
			if !inCommits[tk] {
				inCommits[tk] = true
				order = append(order, tk)
			}
		}
	}
	for _, tk := range b.rec.Tickets {
		if !slices.Contains(order, tk) {
			order = append(order, tk)
		}
	}
	for _, tk := range order {
		inRec := slices.Contains(b.rec.Tickets, tk)
		switch {
		case inRec && inCommits[tk]:
			b.add(Link{Step: StepTicket, ID: tk, Status: Verified, Reason: "in the release record and named by a commit of the range"})
		case inRec:
			b.add(Link{Step: StepTicket, ID: tk, Status: Recorded, Reason: "in the release record; no commit of the range names it"})
		default:
			b.add(Link{Step: StepTicket, ID: tk, Status: Recorded, Reason: "named by a commit of the range; not in the release record"})
		}
	}
	if len(order) == 0 {
		b.add(b.gap(StepTicket, "", "no ticket ID in the release record or the commits", nil))
	}

	// Pull requests: the record's, matched to the commits' "(#n)".
	commitPRs := map[string]string{} // "#n" -> commit
	var prOrder []string
	for _, c := range cs {
		if c.PR != 0 {
			ref := fmt.Sprintf("#%d", c.PR)
			if _, ok := commitPRs[ref]; !ok {
				commitPRs[ref] = c.Hash
				prOrder = append(prOrder, ref)
			}
		}
	}
	used := map[string]bool{}
	for _, pr := range b.rec.PRs {
		l := Link{Step: StepPullRequest, ID: pr.Ref}
		switch {
		case commitPRs[pr.Ref] != "":
			used[pr.Ref] = true
			l.Status, l.Reason = Verified, "in the release record and named by commit "+commitPRs[pr.Ref]
		case pr.OriginalPR != "" && commitPRs[pr.OriginalPR] != "":
			used[pr.OriginalPR] = true
			l.Status = Verified
			l.Reason = fmt.Sprintf("backport of %s (%s), picked as commit %s", pr.OriginalPR, pr.OriginalSHA, commitPRs[pr.OriginalPR])
		default:
			l.Status, l.Reason = Recorded, "in the release record; no commit of the range names it"
		}
		b.add(l)
	}
	for _, ref := range prOrder {
		if !used[ref] {
			b.add(Link{Step: StepPullRequest, ID: ref, Status: Recorded, Reason: "named by commit " + commitPRs[ref] + "; not in the release record"})
		}
	}
	if len(b.rec.PRs) == 0 && len(prOrder) == 0 {
		b.add(b.gap(StepPullRequest, "", "no pull request in the release record or the commits", nil))
	}

	// Commits.
	if rangeLink != nil {
		b.add(*rangeLink)
		return nil
	}
	for _, c := range cs {
		info := &CommitInfo{
			Hash: c.Hash, Subject: c.Subject, Author: c.Author.Name + " <" + c.Author.Email + ">",
			Date: c.Committer.When, Conventional: c.Conventional, Tickets: c.Tickets, PR: c.PR,
			CherryPickedFrom: c.CherryPickedFrom,
		}
		l := Link{Step: StepCommit, ID: c.Hash, Commit: info, Status: Verified, Reason: "in " + b.t.Range}
		if len(c.CherryPickedFrom) > 0 {
			l.Reason += "; cherry-picked from " + strings.Join(c.CherryPickedFrom, ", ")
		}
		if len(c.Tickets) == 0 && !c.Ignored && c.Merge == nil {
			l = b.gap(StepCommit, c.Hash, "the commit names no ticket ID (§1.11.3.1)", nil)
			l.Commit = info
		}
		b.add(l)
	}
	if len(cs) == 0 {
		b.add(b.gap(StepCommit, "", "the range "+b.t.Range+" holds no commit", nil))
	}
	return nil
}

// readRange finds the previous release and reads the commits of
// previous..release, newest first.
func (b *builder) readRange() ([]commits.Commit, error) {
	repo := b.src.Repo
	to := plumbing.NewHash(b.rec.Commit)
	if _, err := repo.CommitObject(to); err != nil {
		return nil, fmt.Errorf("read commit %s: %w", b.rec.Commit, err)
	}
	prev, err := previous(b.ctx, b.src, b.rec.Tag, to)
	if err != nil {
		return nil, err
	}
	rng := commits.Range{To: to}
	b.t.Range = b.rec.Tag
	if prev.Tag != "" {
		b.t.Previous = prev.Tag
		b.t.Range = prev.Tag + ".." + b.rec.Tag
		rng.From = []plumbing.Hash{plumbing.NewHash(prev.Commit)}
	}
	var out []commits.Commit
	for c, err := range commits.Log(b.ctx, repo, rng) {
		if err != nil {
			return nil, fmt.Errorf("log %s: %w", b.t.Range, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// previous returns the previous release of tag (at commit to): among
// the release tags of lower precedence whose commits are ancestors of to,
// the highest final release (for a pre-release, the highest release), as
// semver.Select chooses. It returns the zero Release for a first release.
func previous(ctx context.Context, src Sources, tag string, to plumbing.Hash) (semver.Release, error) {
	scm := src.scheme()
	cur, err := scm.Parse(tag)
	if err != nil {
		return semver.Release{}, nil // not a version: no previous release
	}
	rels, err := tagging.List(ctx, src.Repo, scm, nil, time.Time{})
	if err != nil {
		return semver.Release{}, fmt.Errorf("list release tags: %w", err)
	}
	head, err := src.Repo.CommitObject(to)
	if err != nil {
		return semver.Release{}, fmt.Errorf("read commit %s: %w", to, err)
	}
	var cands []semver.Tag
	for _, r := range rels {
		if r.Commit.IsZero() || !r.Version.Less(cur) {
			continue
		}
		if !cur.IsPrerelease() && r.Version.IsPrerelease() {
			continue
		}
		c, err := src.Repo.CommitObject(r.Commit)
		if err != nil {
			continue // a tag of a missing commit is not on the history
		}
		ok, err := c.IsAncestor(head)
		if err != nil {
			return semver.Release{}, fmt.Errorf("walk history of %s: %w", tag, err)
		}
		if ok {
			cands = append(cands, semver.Tag{Name: r.Name, Commit: r.Commit.String()})
		}
	}
	prev, err := semver.Select(cands, scm)
	if err != nil {
		return semver.Release{}, fmt.Errorf("previous release of %s: %w", tag, err)
	}
	if cur.IsPrerelease() {
		return prev.Latest, nil
	}
	return prev.Stable, nil
}

// tag adds the release tag link: its signature verified with
// src.TagVerifier at src.At, and its target compared with the record.
func (b *builder) tag() {
	name := b.rec.Tag
	if b.src.Repo == nil {
		b.add(b.gap(StepTag, name, "no repository given: the release tag cannot be read", nil))
		return
	}
	info := &TagInfo{Name: name}
	l := Link{Step: StepTag, ID: name, Tag: info}
	if b.src.TagVerifier == nil {
		ref, err := b.src.Repo.Tag(name)
		if err != nil {
			l = b.gap(StepTag, name, "the release tag is not in the repository", err)
			b.add(l)
			return
		}
		info.Object = ref.Hash().String()
		to, err := b.src.Repo.TagObject(ref.Hash())
		if err == nil {
			info.Tagger, info.TaggedAt = to.Tagger.String(), to.Tagger.When
			if c, err := to.Commit(); err == nil {
				info.Target = c.Hash.String()
			}
		} else {
			info.Target = ref.Hash().String() // a lightweight tag
		}
		// The signature cannot be checked without a verifier, but whether
		// there is one can.
		signed, perr := tagSigned(b.src.Repo.Storer, ref.Hash())
		if perr == nil && signed != "" {
			info.Format = signed
		}
		switch {
		case info.Target != b.rec.Commit:
			l.Status, l.Err = Failed, &TrailError{Reason: ReasonTagMoved, Detail: fmt.Sprintf("%s points at %s, the record names %s", name, info.Target, b.rec.Commit)}
			l.Reason = "the tag does not point at the recorded commit"
		case perr != nil:
			l.Status, l.Err, l.Reason = Failed, perr, "the tag object does not parse"
		case signed == "":
			l.Status, l.Reason = Gap, "the release tag is not signed (a lightweight or unsigned tag)"
			l.Err = fmt.Errorf("%w: %s: %w", ErrMissingEvidence, name, tagging.ErrUnsigned)
		default:
			l.Status, l.Reason = Recorded, "no tag verifier given: the signature was not checked"
		}
		b.add(l)
		return
	}
	v, err := tagging.Verify(b.ctx, b.src.Repo, name, b.src.TagVerifier, b.src.at())
	switch {
	case errors.Is(err, tagging.ErrNotFound):
		l = b.gap(StepTag, name, "the release tag is not in the repository", err)
		l.Tag = info
	case err != nil:
		l.Status, l.Err = Failed, err
		l.Reason = "the tag signature does not verify at " + b.src.at().UTC().Format(time.RFC3339) + ": " + err.Error()
	default:
		info.Object, info.Target = v.Object.String(), v.Commit.String()
		info.Tagger, info.TaggedAt = v.Tagger.Name+" <"+v.Tagger.Email+">", v.Tagger.When
		info.Format, info.Signer, info.Fingerprint = string(v.Signer.Format), v.Signer.Identity, v.Signer.Fingerprint
		l.Status = Verified
		l.Reason = fmt.Sprintf("signed by %s (%s), verified at %s", v.Signer.Identity, v.Signer.Fingerprint, b.src.at().UTC().Format(time.RFC3339))
		if info.Target != b.rec.Commit {
			l.Status, l.Err = Failed, &TrailError{Reason: ReasonTagMoved, Detail: fmt.Sprintf("%s points at %s, the record names %s", name, info.Target, b.rec.Commit)}
			l.Reason = "the tag does not point at the recorded commit"
		}
	}
	b.add(l)
}

// tagSigned returns the signature format of the tag object h ("" for
// an unsigned tag object or for h naming no tag object: a lightweight tag),
// or the error of a tag object that does not parse (tagging.Parse).
func tagSigned(st storer.EncodedObjectStorer, h plumbing.Hash) (string, error) {
	obj, err := st.EncodedObject(plumbing.TagObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read tag object %s: %w", h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return "", fmt.Errorf("read tag object %s: %w", h, err)
	}
	defer rd.Close()
	raw, err := io.ReadAll(io.LimitReader(rd, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read tag object %s: %w", h, err)
	}
	t, err := tagging.Parse(raw)
	if err != nil {
		return "", err
	}
	if t.Signature == nil {
		return "", nil
	}
	return string(t.Format), nil
}
