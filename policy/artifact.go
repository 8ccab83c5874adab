package policy

import (
	"bytes"
	"context"
	"fmt"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// An Artifact is one release artifact and its supply-chain evidence: Digest
// is "sha256:<hex>" (from the release record, or sbom.SubjectOf on the
// file), SBOM a CycloneDX JSON document and Provenance a DSSE envelope of
// an in-toto SLSA provenance statement.
type Artifact struct {
	Name       string `json:"name"`
	Digest     string `json:"digest"`
	SBOM       []byte `json:"-"`
	Provenance []byte `json:"-"`
}

// ArtifactEvidence (REL-SBOM-001) requires every artifact of Facts.Artifacts
// to have an SBOM whose subject is the artifact's digest (sbom.Check) and a
// provenance signed by one of Verifiers that names that digest
// (sbom.VerifyProvenance, at Facts.Now). No verifiers means no provenance is trusted.
type ArtifactEvidence struct {
	Verifiers []signature.Verifier
}

// Meta describes the control.
func (ArtifactEvidence) Meta() Meta {
	return Meta{ID: "REL-SBOM-001", Title: "SBOM and provenance are present and bound to the artifact digest", Section: "§1.31.3.5", Criteria: []string{"CC7.1", "CC8.1"}, Severity: Critical}
}

// Evaluate checks f.Artifacts.
func (c ArtifactEvidence) Evaluate(ctx context.Context, f Facts) Result {
	if len(f.Artifacts) == 0 {
		return missing("no release artifacts")
	}
	var ev, bad []Evidence
	for _, a := range f.Artifacts {
		subj, err := sbom.ParseDigest(a.Name, a.Digest)
		if err != nil {
			bad = append(bad, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name + ": " + err.Error()})
			continue
		}
		ev = append(ev, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name})
		switch {
		case len(a.SBOM) == 0:
			bad = append(bad, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name + ": no SBOM"})
		default:
			doc, err := sbom.Read(bytes.NewReader(a.SBOM), sbom.JSON)
			if err == nil {
				err = sbom.Check(doc, subj)
			}
			if err != nil {
				bad = append(bad, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name + ": SBOM: " + err.Error()})
			}
		}
		switch {
		case len(a.Provenance) == 0:
			bad = append(bad, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name + ": no provenance"})
		case len(c.Verifiers) == 0:
			bad = append(bad, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name + ": no trusted provenance keys configured"})
		default:
			if _, err := sbom.VerifyProvenance(ctx, a.Provenance, subj, f.Now, c.Verifiers...); err != nil {
				bad = append(bad, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name + ": provenance: " + err.Error()})
			}
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d artifact evidence problem(s): %s; publish an SBOM and a signed provenance for the exact digest you release", len(bad), notes(bad)), append(ev, bad...)...)
	}
	return pass(fmt.Sprintf("%d artifact(s) have an SBOM and a trusted provenance bound to their digest", len(f.Artifacts)), ev...)
}
