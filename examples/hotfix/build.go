package main

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
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// build is what CI leaves behind for a release: the artifact, its SBOM,
// the verified builder of its signed provenance, and the release record.
type build struct {
	Record  manifest.Record
	Digest  string // the artifact's
	Builder string // the builder ID of the provenance, after verification
}

// buildAndRecord builds product's release's artifact, its SBOM and signed
// provenance into work/dist, verifies the provenance, and returns the
// release record (its production window the next day, 10:00 to 12:00 UTC)
// with the artifact's digest.
func buildAndRecord(ctx context.Context, work, product, tag, previous string, commit plumbing.Hash, cs []commits.Commit, clk *demo.Clock) (build, error) {
	dist := filepath.Join(work, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return build{}, err
	}
	name := product + "-" + tag + ".tar.gz"
	data := []byte(product + " " + tag + " built from " + commit.String() + "\n")
	if err := os.WriteFile(filepath.Join(dist, name), data, 0o644); err != nil {
		return build{}, err
	}
	subject, err := sbom.SubjectOf(name, bytes.NewReader(data))
	if err != nil {
		return build{}, err
	}
	doc, err := sbom.ForArtifact(subject)
	if err != nil {
		return build{}, err
	}
	sbomBytes, err := doc.Bytes(sbom.JSON)
	if err != nil {
		return build{}, err
	}
	if err := os.WriteFile(filepath.Join(dist, name+".cdx.json"), sbomBytes, 0o644); err != nil {
		return build{}, err
	}
	ref := sbom.Attach("dist/"+name+".cdx.json", sbomBytes, sbom.JSON, doc.SpecVersion())
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		return build{}, err
	}
	signer, err := signature.NewKeySigner(key)
	if err != nil {
		return build{}, err
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
		return build{}, err
	}
	if err := os.WriteFile(filepath.Join(dist, name+".intoto.jsonl"), env, 0o644); err != nil {
		return build{}, err
	}
	verifier, err := signature.NewKeyVerifier(key.Public())
	if err != nil {
		return build{}, err
	}
	prov, err := sbom.VerifyProvenance(ctx, env, subject, clk.T, verifier)
	if err != nil {
		return build{}, fmt.Errorf("verify provenance: %w", err)
	}
	var tickets []string
	var prs []manifest.PR
	for _, c := range cs {
		tickets = append(tickets, c.Tickets...)
		if c.PR != 0 {
			prs = append(prs, manifest.PR{Ref: fmt.Sprintf("#%d", c.PR)})
		}
	}
	start := clk.T.Truncate(24 * time.Hour).Add(34 * time.Hour) // the next day, 10:00
	return build{
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
