package demohistory

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// day returns 2026-01-DD at hh:mm UTC. January 5, 2026 is a Monday.
func day(dd, hh, mm int) time.Time {
	return time.Date(2026, time.January, dd, hh, mm, 0, 0, time.UTC)
}

// builder carries the state of Build.
type builder struct {
	ctx    context.Context
	newDir func() (string, error)
	f      *History
	scm    semver.Scheme
	run    int // CI run number
	// running is the release production runs, as its last deployment
	// reported; failFirst, when set, is the error the next production
	// deployment fails with before it is run again.
	running   string
	failFirst string
}

// attempt is a refused attempt to promote a release to production, made
// before its promotion: by releaser at at, verified from a CI token or
// typed; plain leaves out the emergency-change record of the promotion.
type attempt struct {
	at       time.Time
	releaser string
	verified bool
	plain    bool
}

// failure is the panic value of builder.check, recovered by Build: the
// builder's steps stop at the first error without checking it at every
// call (as encoding/json's decoder does).
type failure struct{ err error }

// Build builds the history described in the package documentation and
// returns it. newDir returns a new empty directory each time it is called
// (t.TempDir in a test); see the package documentation for what goes where.
// Nothing is removed afterwards: the caller owns the directories. The error
// names the step that failed.
func Build(ctx context.Context, newDir func() (string, error), opts ...Option) (f *History, err error) {
	cfg := config{seed: DefaultSeed}
	for _, o := range opts {
		o(&cfg)
	}
	b := &builder{ctx: ctx, newDir: newDir, scm: semver.Scheme{Prefix: "v"}}
	defer func() {
		if r := recover(); r != nil {
			fail, ok := r.(failure)
			if !ok {
				panic(r)
			}
			f, err = nil, fail.err
		}
	}()
	b.build(cfg)
	return b.f, nil
}

// build builds the history with cfg into b.f.
func (b *builder) build(cfg config) {
	dir := cfg.repoDir
	var repo *git.Repository
	var err error
	if dir == "" {
		dir = filepath.Join(b.dir(), "repo")
		repo, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
		})
	} else {
		repo, err = git.PlainOpen(dir)
	}
	b.check(err, "repository")
	f := &History{
		Dir:         dir,
		Repo:        repo,
		EvidenceDir: filepath.Join(b.dir(), "evidence"),
		At:          time.Date(2026, time.February, 2, 12, 0, 0, 0, time.UTC),
		Window: policy.Window{
			Days:  []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday},
			Start: "09:00", End: "16:00", Zone: "UTC",
		},
	}
	b.f = f
	b.keys(cfg.seed)
	if cfg.gitStore {
		// A GitStore serializes its use of its handle: give it its own.
		repo, err := git.PlainOpen(dir)
		b.check(err, "open repository for the store")
		st, err := manifest.NewGitStore(repo)
		b.check(err, "git store")
		f.Store = st
	} else {
		f.StoreDir = filepath.Join(b.dir(), "store")
		st, err := manifest.NewDirStore(f.StoreDir)
		b.check(err, "dir store")
		f.Store = st
	}
	f.Gate = policy.Gate{Policy: policy.Policy{Controls: []policy.Control{
		policy.ChangeWindow{Windows: []policy.Window{f.Window}},
		policy.SeparationOfDuties{},
		policy.RecordComplete{},
		policy.SameDigest{},
	}}, Facts: policy.Facts{Deployment: &policy.Deployment{Releaser: Releaser}}}
	b.history()
	b.finish()
}

// keys derives the fixture's keys from seed.
func (b *builder) keys(seed string) {
	k := &b.f.Keys
	tagKey, err := ssh.NewSignerFromKey(DeriveKey(seed, "tag"))
	b.check(err, "tag key")
	k.Tag, err = signature.NewSSHSigner(tagKey, tagging.GitNamespace)
	b.check(err, "tag signer")
	k.TagPublic = tagKey.PublicKey()
	logKey, err := ssh.NewSignerFromKey(DeriveKey(seed, "log"))
	b.check(err, "log key")
	k.Log, err = signature.NewSSHSigner(logKey, manifest.Namespace)
	b.check(err, "log signer")
	k.AllowedSigners = fmt.Appendf(nil, "%s namespaces=\"git\" %s\n%s namespaces=\"%s\" %s\n",
		Releaser, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(tagKey.PublicKey()))),
		Releaser, manifest.Namespace, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(logKey.PublicKey()))))
	signers, err := signature.ParseAllowedSigners(k.AllowedSigners)
	b.check(err, "allowed signers")
	k.TagVerifier = signature.NewSSHVerifier(signers, tagging.GitNamespace).WithPrincipal(Releaser)
	k.LogVerifier = signature.NewSSHVerifier(signers, manifest.Namespace)
	provKey := DeriveKey(seed, "provenance")
	k.Provenance, err = signature.NewKeySigner(provKey)
	b.check(err, "provenance signer")
	k.ProvenanceVerifier, err = signature.NewKeyVerifier(provKey.Public().(ed25519.PublicKey))
	b.check(err, "provenance verifier")
}

// history makes the commits, releases and promotions.
func (b *builder) history() {
	f := b.f
	c := &f.Commits
	c.Cart = b.commit(day(5, 9, 0), "feat(cart): add a shopping cart (#1)\n\nRefs: SHOP-1\n", map[string]string{
		"app/README.md":   "# Shop\n",
		"app/cart.go":     "package shop\n\n// Cart holds items.\n",
		"app/config.yaml": "currency: EUR\n",
	})
	b.release("v1.0.0", "main", "", day(5, 12, 0), 1)
	b.promoteAll("v1.0.0", day(5, 12, 10), day(5, 12, 20), day(5, 13, 0), nil, nil)

	c.Checkout = b.commit(day(6, 10, 0), "feat(checkout): add the checkout flow (#2)\n\nRefs: SHOP-2\n", map[string]string{
		"app/checkout.go": "package shop\n\n// Checkout pays for a cart.\n",
	})
	c.Rounding = b.commit(day(7, 10, 0), "fix(cart): round totals to cents (#3)\n\nRefs: SHOP-3\n", map[string]string{
		"app/cart.go": "package shop\n\n// Cart holds items; totals are rounded to cents.\n",
	})
	b.release("v1.1.0", "main", "v1.0.0", day(7, 12, 0), 3)
	b.promoteAll("v1.1.0", day(7, 12, 10), day(7, 12, 20), day(8, 10, 0), nil, nil)

	c.Search = b.commit(day(12, 10, 0), "feat(search): add product search (#4)\n\nRefs: SHOP-4\n", map[string]string{
		"app/search.go":        "package shop\n\n// Search finds products.\n",
		"app/config.yaml":      "",
		"app/config/shop.yaml": "currency: EUR\nsearch: true\n",
		"app/README.md":        "# Shop\n\nCart, checkout and search.\n",
	})
	b.release("v1.2.0", "main", "v1.1.0", day(13, 9, 0), 4)
	b.promoteAll("v1.2.0", day(13, 9, 10), day(13, 9, 20), day(13, 10, 0), nil, nil)
	b.rollback("v1.2.0", "v1.1.0", day(13, 14, 0), "SHOP-4 search doubles the error rate")

	// A fix on main, backported to release/1.2 and released as v1.2.1.
	b.branch("release/1.2", f.Releases[2].Commit)
	c.Fix = b.commit(day(14, 9, 0), "fix(checkout): reject empty carts (#5)\n\nRefs: SHOP-5\n", map[string]string{
		"app/checkout.go": "package shop\n\n// Checkout pays for a cart and rejects empty carts.\n",
	})
	b.checkout("release/1.2")
	c.Backport = b.cherryPick(day(14, 9, 30), c.Fix)
	b.release("v1.2.1", "release/1.2", "v1.2.0", day(14, 10, 0), 8)
	// Its first production deployment fails on one server and is run
	// again.
	b.failFirst = "shop-2: readiness probe failed after 120s: payment gateway unreachable"
	b.promoteAll("v1.2.1", day(14, 10, 10), day(14, 10, 20), day(14, 11, 0), nil, nil)

	// Incident INC123 on a Saturday night: a hotfix cut from the
	// production tag, promoted as an emergency change.
	b.branch("hotfix/1.2.2-INC123", f.Releases[3].Commit) // v1.2.1
	b.checkout("hotfix/1.2.2-INC123")
	c.Hotfix = b.commit(day(17, 1, 0), "fix(payment): retry gateway timeouts (#7)\n\nRefs: SHOP-7\nIncident: INC123\n", map[string]string{
		"app/payment.go": "package shop\n\n// Pay retries gateway timeouts.\n",
	})
	b.release("v1.2.2", "hotfix/1.2.2-INC123", "v1.2.1", day(17, 1, 30), 7)
	// The first attempt names no emergency-change record: the change
	// window refuses it, and the refusal is logged.
	b.promoteAll("v1.2.2", day(17, 1, 40), day(17, 1, 50), day(17, 2, 0), &manifest.EmergencyChange{
		ID:           Incident,
		Reason:       "INC123: payment gateway timeouts fail every checkout",
		Scope:        "shop v1.2.2: retry payment gateway timeouts",
		Approver:     IncidentCommander,
		RollbackPlan: "redeploy v1.2.1 (" + f.Releases[3].Digest + ")",
		FollowUp:     "PIR-123 post-incident review; forward-port to main",
	}, &attempt{at: day(17, 1, 55), releaser: Releaser, verified: true, plain: true})

	// Back on main: a feature, the forward-port of the hotfix, v1.3.0.
	b.checkout("main")
	c.Wishlist = b.commit(day(19, 9, 0), "feat(wishlist): add wishlists (#6)\n\nRefs: SHOP-6\n", map[string]string{
		"app/wishlist.go": "package shop\n\n// Wishlist keeps products for later.\n",
	})
	c.ForwardPort = b.cherryPick(day(19, 9, 30), c.Hotfix)
	b.release("v1.3.0", "main", "v1.2.0", day(19, 12, 0), 6)
	// The pull request's author, typing her own name, tries to deploy it
	// to production: she may not, and the refusal is logged.
	b.promoteAll("v1.3.0", day(19, 12, 10), day(19, 12, 20), day(20, 10, 0), nil, &attempt{at: day(20, 9, 45), releaser: Author})
}

// finish signs the checkpoint, fills the releases' promotions and the
// sources.
func (b *builder) finish() {
	f := b.f
	entries, err := manifest.VerifyStore(b.ctx, f.Store, nil)
	b.check(err, "verify log")
	f.Checkpoint, err = manifest.NewCheckpoint(entries)
	b.check(err, "checkpoint")
	data, sig, err := manifest.SignCheckpoint(b.ctx, f.Checkpoint, f.Keys.Log)
	b.check(err, "sign checkpoint")
	for i := range f.Releases {
		r := &f.Releases[i]
		for _, e := range entries {
			switch {
			case e.Promotion != nil && e.Promotion.Manifest == nil && e.Promotion.Release == r.Tag:
				r.Promotions = append(r.Promotions, *e.Promotion)
			case e.Denial != nil && e.Denial.Release == r.Tag:
				r.Refused = append(r.Refused, *e.Denial)
			case e.Deploy != nil && e.Deploy.Release == r.Tag:
				r.Deployments = append(r.Deployments, *e.Deploy)
			}
		}
	}
	f.Sources = audit.Sources{
		Repo:                f.Repo,
		Store:               f.Store,
		Evidence:            os.DirFS(f.EvidenceDir),
		Checkpoint:          data,
		CheckpointSig:       sig,
		CheckpointVerifier:  f.Keys.LogVerifier,
		TagVerifier:         f.Keys.TagVerifier,
		ProvenanceVerifiers: []signature.Verifier{f.Keys.ProvenanceVerifier},
		At:                  f.At,
	}
}

// release tags HEAD as tag, builds its artifact, SBOM and provenance, and
// stores its record. pr is the pull request the record names for a
// backport (its original comes from the commit), else the last one.
func (b *builder) release(tag, branch, previous string, at time.Time, pr int) {
	f := b.f
	ref, err := f.Repo.Head()
	b.check(err, "HEAD")
	head := ref.Hash().String()
	created, err := tagging.Create(b.ctx, f.Repo, tagging.Request{
		Name:    tag,
		Target:  plumbing.NewHash(head),
		Tagger:  tagging.Identity{Name: "Release Bot", Email: Releaser, When: at},
		Message: "Release " + tag + "\n",
	}, f.Keys.Tag, tagging.WithScheme(b.scm))
	b.check(err, "tag "+tag)
	r := Release{
		Tag: tag, Version: strings.TrimPrefix(tag, "v"), Commit: head, TagHash: created.Hash.String(),
		Branch: branch, Previous: previous, TaggedAt: at,
	}
	rng := commits.Range{To: plumbing.NewHash(head)}
	if previous != "" {
		prev, ok := f.Release(previous)
		if !ok {
			b.check(fmt.Errorf("no release %s", previous), "release "+tag)
		}
		rng.From = []plumbing.Hash{plumbing.NewHash(prev.Commit)}
	}
	var prs []manifest.PR
	for c, err := range commits.Log(b.ctx, f.Repo, rng) {
		b.check(err, "log "+tag)
		r.Commits = append(r.Commits, c.Hash)
		for _, tk := range c.Tickets {
			if !slices.Contains(r.Tickets, tk) {
				r.Tickets = append(r.Tickets, tk)
			}
		}
		if c.PR != 0 {
			ref := fmt.Sprintf("#%d", c.PR)
			r.PRs = append(r.PRs, ref)
			p := manifest.PR{Ref: ref}
			if len(c.CherryPickedFrom) > 0 && branch != "main" && c.PR != pr {
				// A backport pull request: it names the original.
				p = manifest.PR{Ref: fmt.Sprintf("#%d", pr), OriginalPR: ref, OriginalSHA: c.CherryPickedFrom[0]}
			}
			prs = append(prs, p)
		}
	}

	// The artifact: app/ at the tagged commit, as shop/… in a tar.gz.
	r.Files = b.tree(head)
	archive := TarGz(r.Files, at)
	subject, err := sbom.SubjectOf(ArtifactName, bytes.NewReader(archive))
	b.check(err, "subject")
	r.Artifact = path.Join("artifacts", tag, ArtifactName)
	r.Digest = subject.Digest()
	doc, err := sbom.ForArtifact(subject)
	b.check(err, "sbom")
	bom, err := doc.Bytes(sbom.JSON)
	b.check(err, "sbom bytes")
	r.SBOM = path.Join("sbom", tag, "shop.cdx.json")
	r.SBOMDigest = manifest.Digest(bom)
	b.run++
	run := fmt.Sprintf("https://ci.example.com/shop/runs/%d", 100+b.run)
	env, err := sbom.SignProvenance(b.ctx, []sbom.Subject{subject}, sbom.Provenance{
		BuildType:          "https://ci.example.com/buildtypes/make/v1",
		BuilderID:          "https://ci.example.com/builders/release",
		ExternalParameters: map[string]any{"repository": "https://git.example.com/shop", "ref": "refs/tags/" + tag},
		ResolvedDependencies: []sbom.ResourceDescriptor{{
			URI:    "git+https://git.example.com/shop@refs/tags/" + tag,
			Digest: map[string]string{"gitCommit": head},
		}},
		InvocationID: run,
		StartedOn:    at.Add(time.Minute),
		FinishedOn:   at.Add(3 * time.Minute),
	}, f.Keys.Provenance)
	b.check(err, "provenance")
	r.Provenance = path.Join("provenance", tag+".intoto.json")
	b.write(r.Artifact, archive)
	b.write(r.SBOM, bom)
	b.write(r.Provenance, env)

	rollback := manifest.RollbackPlan{Method: "redeploy the previous production digest", Version: "none (first release)"}
	if prod := b.production(); prod != nil {
		rollback.Version, rollback.Digest = prod.Tag, prod.Digest
	}
	rec := manifest.Record{
		Version:    manifest.RecordVersion,
		Tag:        tag,
		Commit:     head,
		Tickets:    slices.Clone(r.Tickets),
		PRs:        prs,
		Artifacts:  []manifest.Artifact{{Name: ArtifactName, URI: r.Artifact, Digest: r.Digest, SBOM: r.SBOMDigest}},
		Provenance: manifest.Provenance{BuildID: run, Ref: r.Provenance},
		SBOM:       manifest.SBOMRef{Ref: r.SBOM, Digest: r.SBOMDigest},
		Checks: []manifest.CheckResult{
			{Name: "build", Passed: true, URL: run},
			{Name: "unit", Passed: true, URL: run},
		},
		Rollback:    rollback,
		KnownIssues: []string{},
		Window:      manifest.Window{Start: at, End: at.Add(48 * time.Hour)},
		Extra:       manifest.Extras{audit.ExtraComponent: Component},
	}
	if strings.HasPrefix(branch, "hotfix/") {
		rec.Extra[audit.ExtraIncident] = Incident
		rec.Extra[audit.ExtraHotfixFor] = previous
	}
	b.check(manifest.Check(rec).Err(), "record "+tag)
	b.check(f.Store.PutRecord(b.ctx, rec), "put record "+tag)
	r.Record = rec
	f.Releases = append(f.Releases, r)
}

// production returns the release prod runs now, or nil.
func (b *builder) production() *Release {
	entries, err := b.f.Store.Entries(b.ctx)
	b.check(err, "entries")
	p, ok := manifest.Current(entries, "prod")
	if !ok {
		return nil
	}
	for i := range b.f.Releases {
		if b.f.Releases[i].Tag == p.Release {
			return &b.f.Releases[i]
		}
	}
	return nil
}

// gate returns the gate for promotions of tag: the fixture's gate with
// the release's pull request as evidence for separation of duties.
func (b *builder) gate(tag string) policy.Gate {
	r, _ := b.f.Release(tag)
	g := b.f.Gate
	num := 0
	if len(r.Record.PRs) > 0 {
		fmt.Sscanf(r.Record.PRs[0].Ref, "#%d", &num)
	}
	g.Facts.PullRequest = &policy.PullRequest{Number: num, Author: Author, Approvers: []string{Reviewer}, MergeMethod: "squash"}
	return g
}

// promoteAll promotes tag to dev, staging and prod at the given times,
// then deploys it to production; em makes the production promotion an
// emergency change, and refused is an attempt to promote it to production
// that is refused first.
func (b *builder) promoteAll(tag string, dev, staging, prod time.Time, em *manifest.EmergencyChange, refused *attempt) {
	r, _ := b.f.Release(tag)
	for i, at := range []time.Time{dev, staging, prod} {
		req := manifest.PromoteRequest{
			Release: tag, Env: Envs[i], Digest: r.Digest, Releaser: Releaser, Actor: b.actor(r, "release", Envs[i]),
			Approver: Approver, Reason: "CHG-" + r.Version + " approved for " + Envs[i],
		}
		if Envs[i] == "prod" && em != nil {
			req.Approver, req.Reason, req.Emergency = IncidentCommander, em.Reason, em
		}
		if Envs[i] == "prod" && refused != nil {
			tried := req
			tried.Releaser, tried.Actor = refused.releaser, &manifest.Actor{Name: refused.releaser}
			if refused.verified {
				tried.Actor = b.actor(r, "release", Envs[i])
			}
			if refused.plain {
				tried.Emergency = nil
			}
			b.refuse(tried, refused.at)
		}
		e, err := manifest.Promote(b.ctx, b.f.Store, req, b.promoteOptions(tag, at)...)
		b.check(err, "promote "+tag+" to "+Envs[i])
		if Envs[i] == "prod" {
			b.deploy(tag, e.Seq, at)
		}
	}
}

// promoteOptions are the options of every promotion of tag, at at.
func (b *builder) promoteOptions(tag string, at time.Time) []manifest.Option {
	return []manifest.Option{
		manifest.WithGate(b.gate(tag)),
		manifest.WithClock(func() time.Time { return at }),
		manifest.WithTagVerifier(tagging.NewRepoVerifier(b.f.Repo, b.f.Keys.TagVerifier)),
		manifest.WithAuthorizer(team{}),
	}
}

// rollback rolls prod back from from to to at at, then deploys to.
func (b *builder) rollback(from, to string, at time.Time, reason string) {
	r, _ := b.f.Release(to)
	e, err := manifest.Rollback(b.ctx, b.f.Store, manifest.RollbackRequest{Env: "prod", Releaser: Releaser, Actor: b.actor(r, "rollback", "prod"), Approver: Approver, Reason: reason},
		b.promoteOptions(to, at)...)
	b.check(err, "roll back "+from)
	b.f.Rollback = Rollback{From: from, To: to, At: at, Approver: Approver, Reason: reason}
	b.deploy(to, e.Seq, at)
}

// actor is the identity the CI system's OIDC token gives the release bot in
// workflow for release r in env, as the release configuration maps it
// (manifest.Actor, verified).
func (b *builder) actor(r Release, workflow, env string) *manifest.Actor {
	return &manifest.Actor{
		Name: Releaser, Verified: true, Issuer: CIIssuer,
		Subject: "repo:shop:environment:" + env,
		Claims: &manifest.ActorClaims{
			Actor: Releaser, Repository: "shop", Ref: "refs/tags/" + r.Tag, Commit: r.Commit,
			Workflow: workflow, Run: fmt.Sprint(100 + b.run), Environment: env,
		},
	}
}

// refuse makes the promotion req at at, which the history's controls
// refuse, and logs the refusal as a manifest.KindDenied entry, unless
// manifest.Promote logged it itself.
func (b *builder) refuse(req manifest.PromoteRequest, at time.Time) {
	before, err := b.f.Store.Entries(b.ctx)
	b.check(err, "entries")
	_, perr := manifest.Promote(b.ctx, b.f.Store, req, b.promoteOptions(req.Release, at)...)
	if perr == nil {
		b.check(errors.New("allowed"), "refused promotion of "+req.Release+" to "+req.Env)
	}
	after, err := b.f.Store.Entries(b.ctx)
	b.check(err, "entries")
	if len(after) > len(before) {
		return // logged by manifest.Promote
	}
	refusal := perr.Error()
	if len(refusal) > maxRefusal {
		refusal = strings.ToValidUTF8(refusal[:maxRefusal], "") + "…"
	}
	_, err = b.f.Store.Append(b.ctx, manifest.Entry{Kind: manifest.KindDenied, Denial: &manifest.Denial{
		Action: "promote", Release: req.Release, Env: req.Env, Digest: req.Digest, Actor: req.Actor,
		Approver: req.Approver, Reason: req.Reason, Refusal: refusal, Controls: controls(perr), At: at,
	}})
	b.check(err, "log the refused promotion of "+req.Release)
}

// maxRefusal bounds the refusal text of a denied entry.
const maxRefusal = 2048

// controls returns the IDs of the controls that refused err: those of the
// first error in its tree that names them (a Controls method), else the
// failed controls of the policy gate's report.
func controls(err error) []string {
	var named interface{ Controls() []string }
	if errors.As(err, &named) {
		return named.Controls()
	}
	var denied *policy.DeniedError
	if !errors.As(err, &denied) {
		return nil
	}
	var ids []string
	for _, r := range denied.Report.Results {
		if r.Status == policy.Fail {
			ids = append(ids, r.Control.ID)
		}
	}
	return ids
}

// deploy reports the production deployment of tag carried out for the
// promotion in log entry seq at at: started a minute later, naming the
// manifest of the files that changed since what production ran, then
// succeeded four minutes after that (after a failure and a second start
// when failFirst is set).
func (b *builder) deploy(tag string, seq uint64, at time.Time) {
	r, _ := b.f.Release(tag)
	changes := b.changedFiles(r)
	d := manifest.Deployment{
		Release: tag, Env: "prod", Targets: ProdTargets, Digest: r.Digest, Branch: r.Branch, Commit: r.Commit,
		Promotion: seq, Actor: b.actor(r, "deploy", "prod"),
	}
	report := func(result, errText string, when time.Time, changes *manifest.ChangedFilesSummary) {
		e := d
		e.Targets = slices.Clone(d.Targets)
		e.Result, e.Error, e.At, e.Changes = result, errText, when, changes
		_, err := b.f.Store.Append(b.ctx, manifest.Entry{Kind: manifest.KindDeployment, Deploy: &e})
		b.check(err, "report the deployment of "+tag)
	}
	start := at.Add(time.Minute)
	report(manifest.ResultStarted, "", start, changes)
	if b.failFirst != "" {
		report(manifest.ResultFailed, b.failFirst, start.Add(3*time.Minute), nil)
		b.failFirst = ""
		start = start.Add(9 * time.Minute)
		report(manifest.ResultStarted, "", start, changes)
	}
	report(manifest.ResultSucceeded, "", start.Add(4*time.Minute), nil)
	b.running = tag
}

// changedFiles stores, as evidence, the manifest of the files of r's
// artifact that differ from those of the release production runs (all of
// them for the first deployment), and returns its summary.
func (b *builder) changedFiles(r Release) *manifest.ChangedFilesSummary {
	cf := manifest.ChangedFiles{From: b.running, To: r.Tag, ToTree: r.Digest, Files: []manifest.FileChange{}}
	before := map[string]string{}
	if prev, ok := b.f.Release(b.running); ok {
		before, cf.FromTree = prev.Files, prev.Digest
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	for _, p := range slices.Sorted(maps.Keys(mergeKeys(before, r.Files))) {
		old, had := before[p]
		cur, has := r.Files[p]
		switch {
		case !had:
			cf.Files = append(cf.Files, manifest.FileChange{Path: p, Change: "added", SHA256: sum(cur)})
		case !has:
			cf.Files = append(cf.Files, manifest.FileChange{Path: p, Change: "deleted", Previous: sum(old)})
		case old != cur:
			cf.Files = append(cf.Files, manifest.FileChange{Path: p, Change: "modified", SHA256: sum(cur), Previous: sum(old)})
		}
	}
	cf.Total = len(cf.Files)
	data, err := json.Marshal(cf)
	b.check(err, "changed files of "+r.Tag)
	es, ok := b.f.Store.(manifest.EvidenceStore)
	if !ok {
		b.check(errors.New("the store keeps no evidence"), "changed files of "+r.Tag)
	}
	d, err := es.PutEvidence(b.ctx, data)
	b.check(err, "store the changed files of "+r.Tag)
	s := &manifest.ChangedFilesSummary{Digest: d, From: cf.From, Files: cf.Total}
	for _, f := range cf.Files {
		switch f.Change {
		case "added":
			s.Added++
		case "modified":
			s.Modified++
		case "deleted":
			s.Deleted++
		}
	}
	return s
}

// mergeKeys returns a map with the keys of a and b.
func mergeKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// commit writes files (removing those whose content is "") under the work
// tree, stages them and commits with exactly msg at at.
func (b *builder) commit(at time.Time, msg string, files map[string]string) string {
	wt, err := b.f.Repo.Worktree()
	b.check(err, "worktree")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		content := files[name]
		if content == "" {
			_, err := wt.Remove(name)
			b.check(err, "remove "+name)
			continue
		}
		b.put(wt, name, content)
	}
	return b.commitAs(wt, msg, author(at), at)
}

// cherryPick applies the change rev made to its parent on the current
// branch and commits it as `git cherry-pick -x` does: rev's author and
// author date, rev's message with "(cherry picked from commit rev)"
// appended to its trailer block (or as a paragraph of its own when it has
// none), committed at at. It returns the new commit.
func (b *builder) cherryPick(at time.Time, rev string) string {
	c, err := b.f.Repo.CommitObject(plumbing.NewHash(rev))
	b.check(err, "commit "+rev)
	parent, err := c.Parent(0)
	b.check(err, "parent of "+rev)
	from, err := parent.Tree()
	b.check(err, "tree")
	to, err := c.Tree()
	b.check(err, "tree")
	changes, err := object.DiffTree(from, to)
	b.check(err, "diff "+rev)
	wt, err := b.f.Repo.Worktree()
	b.check(err, "worktree")
	for _, ch := range changes {
		_, after, err := ch.Files()
		b.check(err, "diff "+rev)
		if after == nil {
			_, err := wt.Remove(ch.From.Name)
			b.check(err, "remove "+ch.From.Name)
			continue
		}
		content, err := after.Contents()
		b.check(err, "read "+ch.To.Name)
		b.put(wt, ch.To.Name, content) // ch.To.Name is the path, after.Name the base name
	}
	msg := strings.TrimRight(c.Message, "\n")
	if last := msg[strings.LastIndex(msg, "\n\n")+1:]; !strings.Contains(msg, "\n\n") || !isTrailers(last) {
		msg += "\n"
	}
	msg += "\n(cherry picked from commit " + rev + ")\n"
	a := c.Author
	a.When = a.When.UTC()
	return b.commitAs(wt, msg, &a, at)
}

// put writes content to name (slash-separated) in the work tree and stages
// it.
func (b *builder) put(wt *git.Worktree, name, content string) {
	p := filepath.Join(b.f.Dir, filepath.FromSlash(name))
	b.check(os.MkdirAll(filepath.Dir(p), 0o755), "mkdir")
	b.check(os.WriteFile(p, []byte(content), 0o644), "write "+name)
	_, err := wt.Add(name)
	b.check(err, "add "+name)
}

// isTrailers reports whether every line of para is a "Key: value" trailer.
func isTrailers(para string) bool {
	for _, line := range strings.Split(strings.TrimSpace(para), "\n") {
		k, _, ok := strings.Cut(line, ": ")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return false
		}
	}
	return true
}

// author is the pull requests' author at at: commits are authored by her,
// as the policy gate's facts say, and committed by the merge bot.
func author(at time.Time) *object.Signature {
	return &object.Signature{Name: "Alice Author", Email: Author, When: at}
}

// commitAs commits the staged work tree with exactly msg, authored by a and
// committed by the merge bot at at, and returns the new commit.
func (b *builder) commitAs(wt *git.Worktree, msg string, a *object.Signature, at time.Time) string {
	h, err := wt.Commit(msg, &git.CommitOptions{
		Author:    a,
		Committer: &object.Signature{Name: "Merge Bot", Email: "merge-bot@example.com", When: at},
	})
	b.check(err, "commit")
	return h.String()
}

// branch creates branch at commit.
func (b *builder) branch(name, commit string) {
	ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), plumbing.NewHash(commit))
	b.check(b.f.Repo.Storer.SetReference(ref), "branch "+name)
}

// checkout switches the work tree to branch.
func (b *builder) checkout(branch string) {
	wt, err := b.f.Repo.Worktree()
	b.check(err, "worktree")
	b.check(wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch)}), "checkout "+branch)
}

// tree returns the files under app/ at commit, keyed by their path in the
// artifact (shop/…).
func (b *builder) tree(commit string) map[string]string {
	c, err := b.f.Repo.CommitObject(plumbing.NewHash(commit))
	b.check(err, "commit "+commit)
	t, err := c.Tree()
	b.check(err, "tree")
	files := map[string]string{}
	err = t.Files().ForEach(func(fl *object.File) error {
		rest, ok := strings.CutPrefix(fl.Name, "app/")
		if !ok {
			return nil
		}
		s, err := fl.Contents()
		files["shop/"+rest] = s
		return err
	})
	b.check(err, "files")
	return files
}

// write writes data to name under the evidence directory.
func (b *builder) write(name string, data []byte) {
	p := filepath.Join(b.f.EvidenceDir, filepath.FromSlash(name))
	b.check(os.MkdirAll(filepath.Dir(p), 0o755), "mkdir")
	b.check(os.WriteFile(p, data, 0o644), "write "+name)
}

// dir returns a new directory from newDir.
func (b *builder) dir() string {
	d, err := b.newDir()
	b.check(err, "directory")
	return d
}

// check stops the build at the first error: it panics with a failure,
// which Build recovers and returns.
func (b *builder) check(err error, what string) {
	if err != nil {
		panic(failure{fmt.Errorf("demohistory: %s: %w", what, err)})
	}
}

// TarGz returns a gzip-compressed tar archive of files (path → content),
// with entries in path order, mode 0644 and modification time mtime, so the
// same files always give the same bytes.
func TarGz(files map[string]string, mtime time.Time) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		content := files[name]
		// Writes to a bytes.Buffer do not fail, nor does a header with a
		// short path.
		_ = tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeReg, Name: name, Size: int64(len(content)), Mode: 0o644,
			ModTime: mtime.UTC(), Format: tar.FormatUSTAR, Uname: "release", Gname: "release",
		})
		_, _ = tw.Write([]byte(content))
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

// NumberedDirs returns a function for [Build] that creates and returns
// parent/001, parent/002, … in turn, for a program that keeps the history
// in one directory. parent must exist.
func NumberedDirs(parent string) func() (string, error) {
	n := 0
	return func() (string, error) {
		n++
		d := filepath.Join(parent, fmt.Sprintf("%03d", n))
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", err
		}
		return d, nil
	}
}
