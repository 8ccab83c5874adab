// Package policy is the release policy as code: controls that check the
// evidence of a change or a release and return results an auditor and a CI
// system both understand. It serves §1.31.3.3 (policy-as-code) and
// enforces §1.11.3, §1.17.3.1, §1.18.3.1, §1.21.3, §1.25, §1.26, §1.31.3
// and §2.8.3.1, with exceptions per §1.32.3.1.
//
// # Controls
//
// A [Control] has [Meta] (a stable ID such as "REL-BRANCH-001", a title,
// the policy section it enforces, the SOC 2 criteria it serves, from CC6.1
// to CC9.2, and a [Severity]) and an Evaluate method returning a [Result]:
// [Pass], [Fail] or [NotApplicable], a reason a person can act on, and the
// [Evidence] it looked at (commit SHAs, tag names, digests, files, fields).
// Users add controls by implementing the interface. The built-in controls
// are [BranchNames], [ConventionalCommits], [LinearHistory], [SignedTag],
// [ChangeWindow], [SeparationOfDuties], [HotfixFromTag], [ForwardPort],
// [ReleaseCutoff], [RequiredFiles], [PinnedPipelines], [PinnedInputs],
// [FeatureFlags], [EnvironmentSeparation] and [ArtifactEvidence]; [Default]
// enables all of them in their strictest form.
//
// # Failing closed
//
// [Evaluate] never turns doubt into a pass. Missing evidence fails with
// [ErrMissingEvidence]; a control that panics or returns an error fails
// with [ErrControlFailed]; a [Policy] without controls reports
// [ErrEmptyPolicy] from [Report.Err]. Time-based controls read
// [Facts].Now (an injected clock), never the wall clock.
//
// # Facts
//
// Policy reads no repository and no network: the caller gathers [Facts]
// with commits.Log (the commits of a range), tagging.Verify (the release
// tag), [ReadFiles] (repository files from an fs.FS), [PatchID] (for
// forward-ports) and [ParsePullRequest] (pull-request data the caller's
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
// # Configuration and reports
//
// [Load] reads the policy from YAML or JSON and rejects unknown keys and
// bad values with the line they are on ([ConfigError]). A [Report] is
// written as text ([Report.WriteText]), JSON, SARIF 2.1.0 for code scanning
// and JUnit XML, so CI systems show the results natively.
//
// A worked example:
//
//	p, err := policy.Load(file) // controls: {REL-COMMIT-001: {}, REL-TAG-001: {identities: [ci@example.com]}}
//	f := policy.Facts{Now: now, Commits: logged, Tag: &policy.Tag{Name: "v1.2.3", Verification: v, Err: verr}}
//	report := policy.Evaluate(ctx, p, f)
//	report.WriteSARIF(os.Stdout, ".github/release-policy.yml")
//	if err := report.Err(); err != nil { ... } // deny
//
// Evaluate, the controls and the writers are safe for concurrent use; the
// slices and maps of Facts belong to the caller and are only read.
package policy
