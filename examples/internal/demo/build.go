package demo

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// A Build is what CI leaves behind for a release: the release record, the
// artifact's digest, and the builder ID of its provenance, read after the
// signature was verified.
type Build struct {
	Record  manifest.Record
	Digest  string // the artifact's
	Builder string // the provenance's builder ID, after verification
}

// BuildAndRecord is [BuildRelease] for callers that need only the record
// and the artifact's digest.
func BuildAndRecord(ctx context.Context, work, product, tag, previous string, commit plumbing.Hash, cs []commits.Commit, clk *Clock) (manifest.Record, string, error) {
	b, err := BuildRelease(ctx, work, product, tag, previous, commit, cs, clk)
	return b.Record, b.Digest, err
}

// BuildRelease does what CI does for release tag of product at commit: it
// writes the artifact, its CycloneDX SBOM and its in-toto provenance (the
// source commit as a resolved dependency, signed with a throwaway Ed25519
// key) into work/dist, verifies the provenance, and returns the release
// record, the artifact's digest and the verified builder. The record lists
// the tickets and PRs of cs (a PR's OriginalSHA is the commit it was
// cherry-picked from), rolls back to previous, and plans production for the
// day after clk.T, 10:00 to 12:00 UTC. The caller checks and stores it.
func BuildRelease(ctx context.Context, work, product, tag, previous string, commit plumbing.Hash, cs []commits.Commit, clk *Clock) (Build, error) {
	dist := filepath.Join(work, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return Build{}, err
	}
	name := product + "-" + tag + ".tar.gz"
	data := []byte(product + " " + tag + " built from " + commit.String() + "\n")
	if err := os.WriteFile(filepath.Join(dist, name), data, 0o644); err != nil {
		return Build{}, err
	}
	subject, err := sbom.SubjectOf(name, bytes.NewReader(data))
	if err != nil {
		return Build{}, err
	}
	doc, err := sbom.ForArtifact(subject)
	if err != nil {
		return Build{}, err
	}
	sbomBytes, err := doc.Bytes(sbom.JSON)
	if err != nil {
		return Build{}, err
	}
	if err := os.WriteFile(filepath.Join(dist, name+".cdx.json"), sbomBytes, 0o644); err != nil {
		return Build{}, err
	}
	ref := sbom.Attach("dist/"+name+".cdx.json", sbomBytes, sbom.JSON, doc.SpecVersion())
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		return Build{}, err
	}
	signer, err := signature.NewKeySigner(key)
	if err != nil {
		return Build{}, err
	}
	buildID := "https://ci.example.com/" + product + "/runs/" + tag
	env, err := sbom.SignProvenance(ctx, []sbom.Subject{subject}, sbom.Provenance{
		BuildType: "https://ci.example.com/buildtypes/release/v1", BuilderID: "https://ci.example.com/builders/release",
		ExternalParameters: map[string]any{"ref": "refs/tags/" + tag},
		ResolvedDependencies: []sbom.ResourceDescriptor{{
			URI: "git+https://git.example.com/shop/" + product + "@refs/tags/" + tag, Digest: map[string]string{"gitCommit": commit.String()},
		}},
		InvocationID: buildID,
	}, signer)
	if err != nil {
		return Build{}, err
	}
	if err := os.WriteFile(filepath.Join(dist, name+".intoto.jsonl"), env, 0o644); err != nil {
		return Build{}, err
	}
	verifier, err := signature.NewKeyVerifier(key.Public())
	if err != nil {
		return Build{}, err
	}
	prov, err := sbom.VerifyProvenance(ctx, env, subject, clk.T, verifier)
	if err != nil {
		return Build{}, fmt.Errorf("verify provenance: %w", err)
	}
	var tickets []string
	var prs []manifest.PR
	for _, c := range cs {
		tickets = append(tickets, c.Tickets...)
		if c.PR != 0 {
			pr := manifest.PR{Ref: fmt.Sprintf("#%d", c.PR)}
			if len(c.CherryPickedFrom) > 0 {
				pr.OriginalSHA = c.CherryPickedFrom[0]
			}
			prs = append(prs, pr)
		}
	}
	start := clk.T.Truncate(24 * time.Hour).Add(34 * time.Hour) // the next day, 10:00
	return Build{
		Record: manifest.Record{
			Version: manifest.RecordVersion, Tag: tag, Commit: commit.String(),
			Tickets: tickets, PRs: prs,
			Artifacts:   []manifest.Artifact{{Name: name, URI: "dist/" + name, Digest: subject.Digest(), SBOM: "sha256:" + ref.SHA256}},
			Provenance:  manifest.Provenance{BuildID: buildID, Ref: "dist/" + name + ".intoto.jsonl"},
			SBOM:        manifest.SBOMRef{Ref: ref.Location, Digest: "sha256:" + ref.SHA256},
			Checks:      []manifest.CheckResult{{Name: "test", Passed: true}, {Name: "codeowners-review", Passed: true}},
			Rollback:    manifest.RollbackPlan{Method: "redeploy the previous artifact", Version: previous},
			KnownIssues: []string{},
			Window:      manifest.Window{Start: start, End: start.Add(2 * time.Hour)},
		},
		Digest:  subject.Digest(),
		Builder: prov.BuilderID,
	}, nil
}
