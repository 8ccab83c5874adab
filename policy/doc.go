// Package policy is the release policy as code: controls that check the
// evidence of a change or a release and return results an auditor and a CI
// system both understand. It serves §1.31.3.3 (policy-as-code) and
// enforces §1.11.3, §1.12.3.5, §1.13.3, §1.17.3.1, §1.18.3.1, §1.20.3.1,
// §1.21.3, §1.25, §1.26, §1.31.3, §2.4 and §2.8.3.1, with exceptions per
// §1.32.3.1.
//
// # Controls
//
// A [Control] has [Meta] (a stable ID such as "REL-BRANCH-001", a title,
// the policy section it enforces, the SOC 2 criteria it serves, from CC6.1
// to CC9.2, and a [Severity]) and an Evaluate method returning a [Result]:
// [Pass], [Fail] or [NotApplicable], a reason a person can act on, and the
// [Evidence] it looked at (commit SHAs, tag names, digests, files, fields).
// Users add controls by implementing the interface. The built-in controls,
// with the ID a configuration file enables them by, the policy sections
// they enforce and the SOC 2 criteria they serve:
//
//   - REL-BRANCH-001 [BranchNames]: §2.8.3.1; SOC 2 CC8.1
//   - REL-COMMIT-001 [ConventionalCommits]: §1.11.3.1; SOC 2 CC8.1
//   - REL-HISTORY-001 [LinearHistory]: §1.11.3; SOC 2 CC8.1
//   - REL-TAG-001 [SignedTag]: §1.21.3.3; SOC 2 CC6.1, CC8.1
//   - REL-WINDOW-001 [ChangeWindow]: §1.21.3.5; SOC 2 CC8.1
//   - REL-SOD-001 [SeparationOfDuties]: §1.21.3.2; SOC 2 CC6.3, CC8.1
//   - REL-HOTFIX-001 [HotfixFromTag]: §1.26, §2.8.3.1; SOC 2 CC8.1
//   - REL-HOTFIX-002 [ForwardPort]: §1.26; SOC 2 CC8.1
//   - REL-RELBRANCH-001 [ReleaseCutoff]: §1.25; SOC 2 CC8.1
//   - REL-REPO-001 [RequiredFiles]: §1.31.3.1, §2.5; SOC 2 CC6.1, CC8.1
//   - REL-PIPE-001 [PinnedPipelines]: §1.31.3.2; SOC 2 CC8.1, CC9.2
//   - REL-DEPS-001 [PinnedInputs]: §1.18.3.1; SOC 2 CC8.1, CC9.2
//   - REL-FLAG-001 [FeatureFlags]: §1.17.3.1; SOC 2 CC8.1
//   - REL-ENV-001 [EnvironmentSeparation]: §1.21.3.2; SOC 2 CC6.1, CC6.3
//   - REL-SBOM-001 [ArtifactEvidence]: §1.31.3.5; SOC 2 CC7.1, CC8.1
//   - REL-RECORD-001 [RecordComplete]: §1.20.3.1, §2.4; SOC 2 CC8.1
//   - REL-DIGEST-001 [SameDigest]: §1.12.3.5, §1.13.3.2; SOC 2 CC6.8, CC8.1
//   - REL-BREAKGLASS-001 [BreakGlass]: §1.21.3.6, §1.32.3.2; SOC 2 CC6.3, CC7.4, CC8.1
//   - REL-INCIDENT-001 [IncidentRecords]: §1.22.5.2, §1.22.3; SOC 2 CC7.4, CC7.5
//   - REL-FREEZE-001 [MainReleasable]: §1.21.2, §1.22.3, §1.32.3.1; SOC 2 CC8.1
//   - REL-CHECKS-001 [RequiredChecks]: §1.13.3.1, §1.13.3.4, §1.20.3.1, §2.9; SOC 2 CC7.1, CC8.1
//   - REL-BYPASS-001 [BypassRecords]: §1.13.3.5, §1.29; SOC 2 CC8.1
//   - REL-PROTECT-001 [ProtectedBranches]: §1.11.3.2, §1.21.3.1, §1.21.5.1; SOC 2 CC6.1, CC8.1
//   - REL-REVIEW-001 [ReviewApprovals]: §1.21.3.1, §1.11.5.1; SOC 2 CC6.3, CC8.1
//   - REL-BACKPORT-001 [BackportProvenance]: §1.11.3.4, §1.27.2; SOC 2 CC8.1
//   - REL-NOTES-001 [ReleaseNotes]: §1.20.3.2, §1.20.5.1, §1.20.6.1, §2.6.3.1; SOC 2 CC8.1
//   - REL-ORDER-001 [DependencyOrder]: §1.18.3.4; SOC 2 CC8.1
//   - REL-ROLLBACK-001 [RollbackTarget]: §1.13.5.3, §1.20.5.1; SOC 2 CC7.5, CC8.1
//   - REL-VERIFY-001 [VerifyProduction]: §1.13.5.3, §1.17.3, §1.22.3.4; SOC 2 CC7.1, CC8.1
//   - REL-CHANGE-001 [ChangeRecords]: §1.17.3, §1.19.3, §1.22.3.3; SOC 2 CC8.1
//   - REL-PRTEMPLATE-001 [PullRequestTemplate]: §2.5.2, §2.5.3; SOC 2 CC8.1
//   - REL-SECRETS-001 [NoSecrets]: §1.19.3.3, §1.19.5.1; SOC 2 CC6.1, CC6.7
//   - REL-RELBRANCH-002 [ReleaseBranchFromMain]: §1.14.3, §1.15.3.1; SOC 2 CC8.1
//   - REL-RELBRANCH-003 [ReleaseFixesOnMain]: §1.15.3.3, §1.25.2, §1.25.4.1; SOC 2 CC8.1
//   - REL-GONOGO-001 [GoNoGoDecision]: §1.14.3, §2.6.2; SOC 2 CC8.1
//
// [Builtin] returns them all. [Default] enables all of them in their
// strictest form but REL-FREEZE-001, which judges main's CI check results
// against the checks a configuration names. A [Gate] adds
// REL-GATE-001 to each promotion it decides: the decision is bound to the
// record or manifest promoted (§1.12.3.5, §1.31.3.3; CC8.1).
//
// # Failing closed
//
// [Evaluate] never turns doubt into a pass. Missing evidence fails with
// [ErrMissingEvidence]; a control that panics or returns an error fails
// with [ErrControlFailed]; a [Policy] without controls reports
// [ErrEmptyPolicy] from [Report.Err], and failed controls a [ReportError]
// "controls failed". Time-based controls read
// [Facts].Now (an injected clock), never the wall clock.
//
// # Facts
//
// Policy reads no repository and no network: the caller gathers [Facts]
// with commits.Log (the commits of a range), tagging.Verify (the release
// tag), [ReadFiles] (repository files from an fs.FS), [PatchID] (for
// forward-ports) and [ReadPullRequest] (pull-request data the caller's
// forge reported, in a documented JSON form); [Artifact] carries an
// artifact's digest, SBOM and provenance envelope. The example below and
// relctl's policy command show the gathering.
//
// # Exceptions
//
// An [Exception] with every field §1.32.3.1 requires, approved by someone
// other than its requester and not expired at Facts.Now, turns a fail of
// the controls it names into [Waived] and the reason says so. Expired and
// incomplete exceptions do not, and the reason says why.
//
// # Releases and promotions
//
// [Facts].Record is a release record (manifest.ParseRecord), Promotions the
// promotion log (manifest.VerifyStore) and Promotion a promotion requested
// ([ReadPromotionRequest] reads relctl's JSON form). [RecordComplete]
// fails an incomplete record with every missing field as evidence, and
// [SameDigest] fails a digest that drifted between environments, naming
// both digests.
//
// A [Gate] is manifest's promotion gate: manifest.Promote, Rollback,
// PromoteManifest and RollbackManifest call its Allow method, which
// evaluates the change window, separation of duties and the other
// controls of its policy on the request, and refuses with a
// *[DeniedError] (inside manifest's *GateError) that carries the report.
// As a manifest.EvidenceGate it also hands manifest the report as JSON
// ([Gate.AllowEvidence]); the log records its digest with each promotion
// and the store keeps it, so an audit can show the policy results that
// gated a promotion (§1.5.2, §1.21.3.4); [ReadReport] reads it back.
// The decision holds only for the bytes evaluated: when the record or
// manifest approved (Facts.Record, Facts.Manifest) is not the one promoted,
// or a manifest does not hash to the digest promoted, the gate refuses
// with a [DeniedError] wrapping a [ReportError] "evaluated content differs
// from the promoted content" (RELIABILITY row 55):
//
//	gate := policy.Gate{Policy: p, Facts: policy.Facts{PullRequest: pr, Record: &approved}}
//	_, err := manifest.Promote(ctx, st, req, manifest.WithGate(gate))
//	var denied *policy.DeniedError
//	if errors.As(err, &denied) { denied.Report.WriteText(os.Stderr) }
//
// # Configuration and reports
//
// [ReadConfig] reads the policy from YAML or JSON and rejects unknown keys and
// bad values with the line they are on ([ConfigError]). A [Report] is
// written as text ([Report.WriteText]), JSON, SARIF 2.1.0 for code scanning
// and JUnit XML, so CI systems show the results natively.
//
// A worked example:
//
//	p, err := policy.ReadConfig(file) // controls: {REL-COMMIT-001: {}, REL-TAG-001: {identities: [ci@example.com]}}
//	f := policy.Facts{Now: now, Commits: logged, Tag: &policy.Tag{Name: "v1.2.3", Verification: v, Err: verr}}
//	report := policy.Evaluate(ctx, p, f)
//	report.WriteSARIF(os.Stdout, ".github/release-policy.yml")
//	if err := report.Err(); err != nil { ... } // deny
//
// # Traceability
//
// The release policy the module serves is embedded in the package
// (release-policy.md, [ReleasePolicy]). [ParseRequirements] extracts its
// MUST sentences, each with a stable ID: its section and its ordinal among
// the section's MUST sentences ("§1.21.3.2/2"). [Traceability] returns the
// matrix that traces every one of them ([Trace]): automated, with the
// built-in controls that enforce it ([ControlRequirements], the controls'
// own metadata) and the APIs of the module and the tests that prove it;
// automatable, with what would enforce it; or organisational, with why only
// people can meet it. The data lives in traceability.yaml, which records a
// fingerprint of each sentence ([Requirement.Sum]), so that [ParseMatrix]
// refuses the matrix when the policy's text changes until the entry is
// reviewed. docs/policy-matrix.md is the matrix in Markdown
// ([Matrix.WriteMarkdown]; a test regenerates it with -update) and
// `relctl policy controls [--format markdown|json]` prints it.
//
// Evaluate, the controls and the writers are safe for concurrent use; the
// slices and maps of Facts belong to the caller and are only read.
package policy
