package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/signature"
)

// Build types written by ProvenanceFromCI.
const (
	GitHubActionsBuildType = "https://actions.github.io/buildtypes/workflow/v1"
	GitLabCIBuildType      = "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/main/PROVENANCE.md"
)

// A Provenance is the SLSA Provenance v1 predicate of a build
// (https://slsa.dev/spec/v1.0/provenance): how the artifact was built, from
// what, by whom. Maps marshal with sorted keys, so the same value gives the
// same statement.
type Provenance struct {
	BuildType            string               // required: URI of the build's template
	BuilderID            string               // required: URI of the trusted builder
	BuilderVersion       map[string]string    // optional
	BuilderDependencies  []ResourceDescriptor // optional: the builder's own inputs
	ExternalParameters   map[string]any       // the inputs a user controls: repository, ref, workflow
	InternalParameters   map[string]any       // the inputs the builder sets
	ResolvedDependencies []ResourceDescriptor // the source commit, toolchains
	InvocationID         string               // the CI run, as a URI
	StartedOn            time.Time            // zero: omitted
	FinishedOn           time.Time            // zero: omitted
	Byproducts           []ResourceDescriptor // logs and other outputs
}

// A ResourceDescriptor names a resource by URI and digests, as in-toto's
// ResourceDescriptor does ("gitCommit" for a git commit).
type ResourceDescriptor struct {
	Name             string            `json:"name,omitempty"`
	URI              string            `json:"uri,omitempty"`
	Digest           map[string]string `json:"digest,omitempty"`
	Content          []byte            `json:"content,omitempty"`          // the resource itself, base64 in JSON
	DownloadLocation string            `json:"downloadLocation,omitempty"` // where it can be fetched
	MediaType        string            `json:"mediaType,omitempty"`
	Annotations      map[string]any    `json:"annotations,omitempty"`
}

// The SLSA v1 JSON shape.
type slsaPredicate struct {
	BuildDefinition slsaBuildDefinition `json:"buildDefinition"`
	RunDetails      slsaRunDetails      `json:"runDetails"`
}

type slsaBuildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   map[string]any       `json:"externalParameters"`
	InternalParameters   map[string]any       `json:"internalParameters,omitempty"`
	ResolvedDependencies []ResourceDescriptor `json:"resolvedDependencies,omitempty"`
}

type slsaRunDetails struct {
	Builder    slsaBuilder          `json:"builder"`
	Metadata   *slsaMetadata        `json:"metadata,omitempty"`
	Byproducts []ResourceDescriptor `json:"byproducts,omitempty"`
}

type slsaBuilder struct {
	ID           string               `json:"id"`
	Version      map[string]string    `json:"version,omitempty"`
	Dependencies []ResourceDescriptor `json:"builderDependencies,omitempty"`
}

type slsaMetadata struct {
	InvocationID string `json:"invocationId,omitempty"`
	StartedOn    string `json:"startedOn,omitempty"`
	FinishedOn   string `json:"finishedOn,omitempty"`
}

// ProvenanceFromCI fills a Provenance from CI environment variables, given
// as a map (the caller reads the environment): GitHub Actions when
// GITHUB_ACTIONS is "true", GitLab CI when GITLAB_CI is "true". It sets the
// build type, builder, repository, ref and commit (as a resolved "gitCommit"
// dependency), workflow or pipeline, and the run as the invocation. It
// reports false when neither CI is recognised; the caller then fills the
// Provenance itself. Timestamps are left for the caller.
func ProvenanceFromCI(env map[string]string) (Provenance, bool) {
	switch {
	case env["GITHUB_ACTIONS"] == "true":
		server := strings.TrimSuffix(orDefault(env["GITHUB_SERVER_URL"], "https://github.com"), "/")
		repo := server + "/" + env["GITHUB_REPOSITORY"]
		p := Provenance{
			BuildType: GitHubActionsBuildType,
			BuilderID: server + "/actions/runner/" + orDefault(env["RUNNER_ENVIRONMENT"], "github-hosted"),
			ExternalParameters: map[string]any{"workflow": map[string]any{
				"ref":        env["GITHUB_REF"],
				"repository": repo,
				"path":       workflowPath(env["GITHUB_WORKFLOW_REF"]),
			}},
			InternalParameters: nonEmpty(map[string]any{"github": nonEmpty(map[string]any{
				"event_name":          env["GITHUB_EVENT_NAME"],
				"repository_id":       env["GITHUB_REPOSITORY_ID"],
				"repository_owner_id": env["GITHUB_REPOSITORY_OWNER_ID"],
				"runner_environment":  env["RUNNER_ENVIRONMENT"],
			})}),
		}
		if env["GITHUB_SHA"] != "" {
			p.ResolvedDependencies = []ResourceDescriptor{{
				URI:    "git+" + repo + "@" + env["GITHUB_REF"],
				Digest: map[string]string{"gitCommit": env["GITHUB_SHA"]},
			}}
		}
		if env["GITHUB_RUN_ID"] != "" {
			p.InvocationID = repo + "/actions/runs/" + env["GITHUB_RUN_ID"] + "/attempts/" + orDefault(env["GITHUB_RUN_ATTEMPT"], "1")
		}
		return p, true
	case env["GITLAB_CI"] == "true":
		server := strings.TrimSuffix(orDefault(env["CI_SERVER_URL"], "https://gitlab.com"), "/")
		repo := orDefault(env["CI_PROJECT_URL"], server+"/"+env["CI_PROJECT_PATH"])
		ref := env["CI_COMMIT_REF_NAME"]
		if env["CI_COMMIT_TAG"] != "" {
			ref = "refs/tags/" + env["CI_COMMIT_TAG"]
		} else if ref != "" {
			ref = "refs/heads/" + ref
		}
		p := Provenance{
			BuildType: GitLabCIBuildType,
			BuilderID: server + "/" + env["CI_PROJECT_PATH"] + "/-/runners/" + env["CI_RUNNER_ID"],
			ExternalParameters: map[string]any{
				"repository": repo,
				"ref":        ref,
				"config":     orDefault(env["CI_CONFIG_PATH"], ".gitlab-ci.yml"),
				"source":     env["CI_PIPELINE_SOURCE"],
			},
			InternalParameters: nonEmpty(map[string]any{
				"pipeline_id": env["CI_PIPELINE_ID"],
				"job_id":      env["CI_JOB_ID"],
				"job_name":    env["CI_JOB_NAME"],
			}),
			InvocationID: env["CI_JOB_URL"],
		}
		if env["CI_COMMIT_SHA"] != "" {
			p.ResolvedDependencies = []ResourceDescriptor{{
				URI:    "git+" + repo + "@" + ref,
				Digest: map[string]string{"gitCommit": env["CI_COMMIT_SHA"]},
			}}
		}
		return p, true
	}
	return Provenance{}, false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// workflowPath turns "owner/repo/.github/workflows/x.yml@refs/heads/main"
// into ".github/workflows/x.yml".
func workflowPath(ref string) string {
	p, _, _ := strings.Cut(ref, "@")
	if i := strings.Index(p, "/.github/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func nonEmpty(m map[string]any) map[string]any {
	for k, v := range m {
		if s, ok := v.(string); ok && s == "" {
			delete(m, k)
		}
		if mm, ok := v.(map[string]any); ok && len(mm) == 0 {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// ProvenanceStatement returns an in-toto Statement v1 (JSON) with the SLSA
// Provenance v1 predicate p about the subjects. It returns an *Error
// ("invalid in-toto statement") when
// p has no build type or builder, or there is no subject, and
// ErrInvalidDigest for a bad subject. Sign it with SignEnvelope(ctx,
// PayloadType, statement, signer).
func ProvenanceStatement(subjects []Subject, p Provenance) ([]byte, error) {
	if len(subjects) == 0 {
		return nil, fmt.Errorf("provenance: %w: no subject", &Error{Reason: "invalid in-toto statement"})
	}
	if p.BuildType == "" || p.BuilderID == "" {
		return nil, fmt.Errorf("provenance: %w: build type and builder id are required", &Error{Reason: "invalid in-toto statement"})
	}
	var subs []statementSubject
	for _, s := range subjects {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("provenance: %w", err)
		}
		subs = append(subs, toStatementSubject(s))
	}
	ext := p.ExternalParameters
	if ext == nil {
		ext = map[string]any{}
	}
	pred := slsaPredicate{
		BuildDefinition: slsaBuildDefinition{
			BuildType:            p.BuildType,
			ExternalParameters:   ext,
			InternalParameters:   p.InternalParameters,
			ResolvedDependencies: p.ResolvedDependencies,
		},
		RunDetails: slsaRunDetails{
			Builder:    slsaBuilder{ID: p.BuilderID, Version: p.BuilderVersion, Dependencies: p.BuilderDependencies},
			Byproducts: p.Byproducts,
		},
	}
	md := slsaMetadata{InvocationID: p.InvocationID}
	if !p.StartedOn.IsZero() {
		md.StartedOn = p.StartedOn.UTC().Format(time.RFC3339)
	}
	if !p.FinishedOn.IsZero() {
		md.FinishedOn = p.FinishedOn.UTC().Format(time.RFC3339)
	}
	if md != (slsaMetadata{}) {
		pred.RunDetails.Metadata = &md
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pred); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return marshalStatement(statement{
		Type:          StatementType,
		Subject:       subs,
		PredicateType: SLSAProvenancePredicate,
		Predicate:     bytes.TrimSuffix(buf.Bytes(), []byte("\n")),
	})
}

// VerifyProvenance opens a DSSE envelope with the verifiers at time at
// (OpenEnvelope), reads the payload as an in-toto Statement v1 or v0.1
// (cosign attest-blob --type slsaprovenance1 writes v0.1) with a SLSA
// Provenance v1 predicate (ParseStatement) that names artifact among its
// subjects, and returns the provenance. SLSA Provenance v0.2 predicates
// (https://slsa.dev/provenance/v0.2, cosign's --type slsaprovenance) are
// refused: their shape is another one, which this package does not read. It fails closed with the errors of
// OpenEnvelope and ParseStatement: an *Error (malformed envelope, payload
// type, statement),
// signature.ErrBadSignature, an *Error (also for a predicate without
// build type or builder) and a *MismatchError wrapping ErrSubjectMismatch.
func VerifyProvenance(ctx context.Context, envelope []byte, artifact Subject, at time.Time, verifiers ...signature.Verifier) (Provenance, error) {
	if err := artifact.Validate(); err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w", err)
	}
	payload, err := OpenEnvelope(ctx, envelope, PayloadType, at, verifiers...)
	if err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w", err)
	}
	return provenanceOf(payload, artifact)
}

// ParseProvenanceUnverifiedUnsafe reads a provenance envelope as
// VerifyProvenance does (strict envelope, every signature well encoded,
// statement bound to artifact) but checks no signature: for a report that
// has no keys to trust and says so. Its errors are those of VerifyProvenance
// except signature.ErrBadSignature.
func ParseProvenanceUnverifiedUnsafe(envelope []byte, artifact Subject) (Provenance, error) {
	if err := artifact.Validate(); err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w", err)
	}
	payload, _, err := decodeEnvelope(envelope, PayloadType)
	if err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w", err)
	}
	return provenanceOf(payload, artifact)
}

// provenanceOf reads the statement payload of a provenance envelope.
func provenanceOf(payload []byte, artifact Subject) (Provenance, error) {
	st, err := ParseStatement(payload, SLSAProvenancePredicate, artifact)
	if err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w", err)
	}
	var pred slsaPredicate
	if err := strictjson.Unmarshal(st.Predicate, &pred, strictjson.Options{MaxDepth: DefaultMaxDepth}); err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w: predicate: %v", &Error{Reason: "invalid in-toto statement"}, err)
	}
	if err := exactKeys(st.Predicate, &pred); err != nil {
		return Provenance{}, fmt.Errorf("verify provenance: %w: predicate: %w", &Error{Reason: "invalid in-toto statement"}, err)
	}
	if pred.BuildDefinition.BuildType == "" || pred.RunDetails.Builder.ID == "" {
		return Provenance{}, fmt.Errorf("verify provenance: %w: predicate without build type or builder id", &Error{Reason: "invalid in-toto statement"})
	}
	p := Provenance{
		BuildType:            pred.BuildDefinition.BuildType,
		BuilderID:            pred.RunDetails.Builder.ID,
		BuilderVersion:       pred.RunDetails.Builder.Version,
		BuilderDependencies:  pred.RunDetails.Builder.Dependencies,
		ExternalParameters:   pred.BuildDefinition.ExternalParameters,
		InternalParameters:   pred.BuildDefinition.InternalParameters,
		ResolvedDependencies: slices.Clip(pred.BuildDefinition.ResolvedDependencies),
		Byproducts:           pred.RunDetails.Byproducts,
	}
	if md := pred.RunDetails.Metadata; md != nil {
		p.InvocationID = md.InvocationID
		for _, f := range []struct {
			s string
			t *time.Time
		}{{md.StartedOn, &p.StartedOn}, {md.FinishedOn, &p.FinishedOn}} {
			if f.s == "" {
				continue
			}
			t, err := time.Parse(time.RFC3339, f.s)
			if err != nil {
				return Provenance{}, fmt.Errorf("verify provenance: %w: timestamp %q", &Error{Reason: "invalid in-toto statement"}, f.s)
			}
			*f.t = t
		}
	}
	return p, nil
}

// SignProvenance is ProvenanceStatement followed by SignEnvelope.
func SignProvenance(ctx context.Context, subjects []Subject, p Provenance, signers ...signature.Signer) ([]byte, error) {
	st, err := ProvenanceStatement(subjects, p)
	if err != nil {
		return nil, err
	}
	return SignEnvelope(ctx, PayloadType, st, signers...)
}
