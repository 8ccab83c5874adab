package policy

import "slices"

// controlTrace is each built-in control's share of the traceability
// matrix: the MUST sentences of the release policy it enforces (by
// Requirement ID) and the tests that prove it. It is the controls' own
// metadata; traceability.yaml adds the APIs and the sentences no control
// covers. ParseMatrix refuses an ID here that the policy does not have, or
// a control that is not built in.
var controlTrace = map[string]struct {
	requirements []string
	tests        []string
}{
	"REL-BRANCH-001": {
		requirements: []string{"§1.10.3.2/1", "§1.10.3.2/2", "§1.10.3.3/1", "§1.10.3.4/2", "§1.11.5.1/1", "§1.16.3.2/1", "§1.24.2/1", "§1.30.3.1/2", "§2.8.2/1"},
		tests:        []string{"policy.TestBranchNames"},
	},
	"REL-COMMIT-001": {
		requirements: []string{"§1.11.3.1/1", "§1.11.3.1/2", "§1.11.5.1/2", "§1.14.3/7", "§1.28.2/2"},
		tests:        []string{"policy.TestConventionalCommits"},
	},
	"REL-HISTORY-001": {
		requirements: []string{"§1.11.3.3/1", "§1.11.5.1/5", "§1.21.3.1/5", "§1.21.3.1/7", "§1.21.5.1/2", "§1.23.3/7", "§1.24.2/3", "§1.28.2/1", "§1.30.3.1/2"},
		tests:        []string{"policy.TestLinearHistory"},
	},
	"REL-SOD-001": {
		requirements: []string{"§1.3.2/2", "§1.6.3/6", "§1.13.3.3/1", "§1.14.3/7", "§1.15.3.5/3", "§1.16.3.3/3", "§1.16.3.3/6", "§1.21.3.2/1", "§1.21.3.2/2", "§1.21.5.1/5", "§1.24.2/2", "§1.26.2/3", "§1.28.2/2", "§1.30.3.3/8", "§1.31.3.3/1", "§2.3/2", "§2.11.2/1"},
		tests:        []string{"policy.TestSeparationOfDuties", "policy.TestSeparationOfDutiesProduction"},
	},
	"REL-TAG-001": {
		requirements: []string{"§1.3.2/3", "§1.6.3/7", "§1.7.3/10", "§1.10.3.3/4", "§1.10.3.4/3", "§1.12.3.1/2", "§1.12.3.3/1", "§1.12.3.3/2", "§1.12.3.3/3", "§1.12.3.4/1", "§1.12.3.4/2", "§1.12.3.5/3", "§1.12.5/1", "§1.12.6.1/4", "§1.12.6.1/5", "§1.13.3.6/1", "§1.13.3.6/2", "§1.14.3/9", "§1.15.3.5/1", "§1.16.3.2/4", "§1.16.3.4/3", "§1.20.3.1/3", "§1.20.3.1/4", "§1.20.5.1/1", "§1.21.3.1/6", "§1.21.3.3/1", "§1.21.5.1/3", "§1.23.3/5", "§1.25.2/4", "§1.25.4.1/1", "§1.26.2/2", "§1.30.3.3/7", "§1.31.3.4/1", "§1.31.3.4/2", "§1.31.3.5/3", "§1.32.3.5/1", "§2.3/4", "§2.10.2/1"},
		tests:        []string{"policy.TestSignedTag"},
	},
	"REL-HOTFIX-001": {
		requirements: []string{"§1.10.3.4/1", "§1.16.3.2/1", "§1.26.2/1", "§1.26.3.1/1", "§1.26.3.1/2", "§2.7.2/1"},
		tests:        []string{"policy.TestHotfixFromTag"},
	},
	"REL-HOTFIX-002": {
		requirements: []string{"§1.10.3.4/4", "§1.11.3.4/4", "§1.16.3.5/1", "§1.16.3.5/2", "§1.22.6.1/1", "§1.26.2/4", "§1.26.3.1/2", "§2.7.2/3"},
		tests:        []string{"policy.TestForwardPort"},
	},
	"REL-RELBRANCH-001": {
		requirements: []string{"§1.10.3.3/2", "§1.10.3.3/3", "§1.14.3/4", "§1.14.3/6", "§1.15.3.2/1", "§1.15.3.2/2", "§1.25.2/1", "§1.25.2/2"},
		tests:        []string{"policy.TestReleaseCutoff"},
	},
	"REL-ENV-001": {
		requirements: []string{"§1.6.3/8", "§1.13.3.3/1", "§1.21.3.2/4"},
		tests:        []string{"policy.TestEnvironmentSeparation"},
	},
	"REL-REPO-001": {
		requirements: []string{"§1.9.3.4/1", "§1.11.3.1/2", "§1.16.3.3/3", "§1.19.3.2/1", "§1.20.6.2/1", "§1.31.3.1/1", "§1.31.3.1/2", "§2.3/1", "§2.5.2/1", "§2.5.3/1"},
		tests:        []string{"policy.TestRequiredFiles"},
	},
	"REL-PIPE-001": {
		requirements: []string{"§1.18.3.1/3", "§1.31.3.2/1"},
		tests:        []string{"policy.TestPinnedPipelines"},
	},
	"REL-DEPS-001": {
		requirements: []string{"§1.18.3.1/1", "§1.18.3.1/2", "§1.18.3.1/3"},
		tests:        []string{"policy.TestPinnedInputs"},
	},
	"REL-FLAG-001": {
		requirements: []string{"§1.17.3.1/2", "§1.17.3.1/6", "§1.17.3.4/1"},
		tests:        []string{"policy.TestFeatureFlags"},
	},
	"REL-GATE-001": {
		requirements: []string{"§1.6.3/5", "§1.13.1/1", "§1.31.3.3/1", "§2.4/1"},
		tests:        []string{"policy.TestGateBindsToEvaluatedRecord", "policy.TestGatePromote"},
	},
	"REL-RECORD-001": {
		requirements: []string{"§1.7.3/10", "§1.9.3.3/2", "§1.11.3.4/3", "§1.12.3.3/1", "§1.12.3.4/3", "§1.12.3.5/2", "§1.12.6.1/6", "§1.13.3.6/3", "§1.16.3.4/3", "§1.20.3.1/1", "§1.20.3.1/2", "§1.20.3.1/3", "§1.20.3.1/5", "§1.20.3.1/6", "§1.20.3.1/7", "§1.20.3.1/8", "§1.20.3.1/9", "§1.20.3.1/12", "§1.20.3.1/13", "§1.20.3.1/14", "§1.20.5.1/6", "§1.20.5.2/1", "§1.31.3.4/1", "§2.3/1", "§2.3/2", "§2.4/1", "§2.4/2", "§2.6.2/1", "§2.7.2/2"},
		tests:        []string{"policy.TestRecordComplete"},
	},
	"REL-BREAKGLASS-001": {
		requirements: []string{"§1.21.3.6/1", "§1.32.3.2/1", "§1.32.3.2/3"},
		tests:        []string{"policy.TestBreakGlass", "manifest.TestRecordReview", "manifest.TestPromoteEmergencyExpired"},
	},
	"REL-INCIDENT-001": {
		requirements: []string{"§1.16.3.6/1", "§1.22.3/2", "§1.22.3.4/2", "§1.22.5.2/1", "§1.22.5.2/2", "§1.22.5.2/5", "§1.22.5.2/7", "§1.22.5.2/8"},
		tests:        []string{"policy.TestIncidentRecords", "manifest.TestRecordIncident", "manifest.TestRecordIncidentRefused"},
	},
	"REL-FREEZE-001": {
		requirements: []string{"§1.3.3/1", "§1.6.3/1", "§1.6.3/9", "§1.8.2/1", "§1.9.2/4", "§1.10.3.1/1", "§1.10.3.1/4", "§1.11.3.1/3", "§1.14.3/1", "§1.14.3/13", "§1.15.3.1/3", "§1.16.3.1/4", "§1.16.3.1/5", "§1.17.3.1/7", "§1.21.2/1", "§1.22.3/4", "§1.23.3/2", "§1.25.4.1/3", "§1.30.3.1/1", "§1.31.5.4/1", "§1.32.3.1/17", "§2.3/3"},
		tests:        []string{"policy.TestMainReleasable", "policy.TestReadConfigEmergencyControls"},
	},
	"REL-DIGEST-001": {
		requirements: []string{"§1.3.2/4", "§1.3.3/3", "§1.6.3/3", "§1.8.2/2", "§1.10.3.4/3", "§1.12.3.5/1", "§1.12.3.5/5", "§1.12.6.1/7", "§1.13.1/1", "§1.13.3.1/2", "§1.13.3.2/2", "§1.13.5.3/1", "§1.14.3/2", "§1.15.3.5/2", "§1.15.3.5/3", "§1.16.3.4/1", "§1.17.3.2/1", "§1.17.3.4/4", "§1.18.3.1/4", "§1.19.1/1", "§1.19.3.1/2", "§1.19.3.1/4", "§1.19.5.1/1", "§1.20.3.4/3", "§1.21.3.3/1", "§1.21.5.1/4", "§1.23.3/3", "§1.24.2/4", "§1.24.3.1/1", "§1.24.3.1/2", "§1.31.3.3/1", "§1.31.3.7/1", "§1.32.3.5/1", "§2.3/5", "§2.7.3.1/1", "§2.10.2/1"},
		tests:        []string{"policy.TestSameDigest"},
	},
	"REL-WINDOW-001": {
		requirements: []string{"§1.3.2/5", "§1.3.3/2", "§1.6.3/8", "§1.6.3/10", "§1.8.2/3", "§1.9.3.2/2", "§1.11.3.2/5", "§1.13.3.3/1", "§1.13.3.3/2", "§1.13.5.3/2", "§1.14.3/8", "§1.15.3.5/3", "§1.16.3.1/3", "§1.18.3.2/4", "§1.19.3.1/2", "§1.19.5.1/2", "§1.19.5.2/2", "§1.20.3.1/14", "§1.21.3.5/1", "§1.21.3.5/2", "§1.21.3.5/3", "§1.21.5.1/7", "§1.22.3/3", "§1.22.5.2/6", "§1.23.3/6", "§1.24.2/5", "§1.25.2/5", "§1.31.3.3/1", "§1.32.3.2/1", "§1.32.3.2/4", "§2.7.2/4"},
		tests:        []string{"policy.TestChangeWindow"},
	},
	"REL-NOTES-001": {
		requirements: []string{"§1.20.3.2/1", "§1.20.3.2/3", "§1.20.3.2/4", "§1.20.5.1/3", "§1.20.6.1/1"},
		tests:        []string{"policy.TestReleaseNotes", "changelog.TestReleaseNotesEverySection", "cmd/relctl.TestReleaseNotesCommand"},
	},
	"REL-ORDER-001": {
		requirements: []string{"§1.18.3.4/1"},
		tests:        []string{"policy.TestDependencyOrder", "manifest.TestCheckDependencyOrder"},
	},
	"REL-ROLLBACK-001": {
		requirements: []string{"§1.13.5.3/4", "§1.20.5.1/7"},
		tests:        []string{"policy.TestRollbackTarget", "manifest.TestCheckRollbackTarget", "manifest.TestPromoteRollbackTarget", "policy.TestGateRollbackTarget", "manifest.TestPromoteGateRollbackTarget"},
	},
	"REL-VERIFY-001": {
		requirements: []string{"§1.13.5.3/3", "§1.17.3.2/2", "§1.22.3.4/2", "§1.22.5.2/7"},
		tests:        []string{"policy.TestVerifyProduction", "manifest.TestRecordVerification", "cmd/relctl.TestVerifyProductionCommand"},
	},
	"REL-CHANGE-001": {
		requirements: []string{"§1.17.3.1/3", "§1.17.3.1/4", "§1.17.3.4/2", "§1.17.3.4/3", "§1.19.3.2/2", "§1.19.3.2/3", "§1.19.3.4/1", "§1.19.3.4/2", "§1.19.5.1/3", "§1.22.3.3/1"},
		tests:        []string{"policy.TestChangeRecords", "manifest.TestRecordChange", "cmd/relctl.TestChangeCommandAndPolicy"},
	},
	"REL-SBOM-001": {
		requirements: []string{"§1.7.3/9", "§1.12.3.3/3", "§1.12.3.4/3", "§1.12.6.1/3", "§1.14.3/9", "§1.16.3.3/5", "§1.20.3.1/9", "§1.20.3.5/1", "§1.20.3.5/2", "§1.20.5.1/5", "§1.21.5.1/3", "§1.23.3/5", "§1.25.2/4", "§1.30.3.3/5", "§1.31.3.3/1", "§1.31.3.5/1", "§1.31.3.5/2", "§1.31.3.5/3"},
		tests:        []string{"policy.TestArtifactEvidence"},
	},
	"REL-CHECKS-001": {
		requirements: []string{"§1.6.3/5", "§1.7.3/8", "§1.10.5.3/2", "§1.11.3.2/2", "§1.11.3.2/3", "§1.11.5.1/3", "§1.12.6.1/1", "§1.13.3.1/1", "§1.13.3.4/1", "§1.13.3.6/1", "§1.15.3.4/1", "§1.15.3.4/2", "§1.16.3.3/4", "§1.16.3.3/5", "§1.20.3.1/10", "§1.21.3.1/4", "§1.30.3.3/2", "§1.30.3.3/3", "§1.30.3.3/4", "§1.30.3.3/6", "§2.9.2/1"},
		tests:        []string{"policy.TestRequiredChecks"},
	},
	"REL-BYPASS-001": {
		requirements: []string{"§1.13.3.5/1", "§1.13.3.5/2", "§1.16.3.3/5", "§1.29.2/2", "§1.29.2/3", "§1.29.3.1/1", "§1.29.3.1/2", "§2.9.2/1"},
		tests:        []string{"policy.TestBypassRecords", "policy.TestRequiredChecks"},
	},
	"REL-PROTECT-001": {
		requirements: []string{"§1.3.2/2", "§1.6.3/6", "§1.10.3.1/2", "§1.10.5.3/1", "§1.11.3.2/1", "§1.11.3.2/4", "§1.11.3.3/2", "§1.11.5.1/6", "§1.12.6.1/1", "§1.13.3.4/1", "§1.15.3.3/4", "§1.16.3.3/1", "§1.16.3.3/2", "§1.18.5.2/1", "§1.21.3.1/1", "§1.21.3.1/2", "§1.21.3.1/4", "§1.21.3.1/8", "§1.21.5.1/1", "§1.23.3/1", "§1.23.3/4", "§1.24.3.1/3", "§2.8.2/2", "§2.9.2/1"},
		tests:        []string{"policy.TestProtectedBranches"},
	},
	"REL-REVIEW-001": {
		requirements: []string{"§1.3.2/2", "§1.6.3/6", "§1.10.3.1/2", "§1.11.3.2/2", "§1.11.3.2/3", "§1.11.5.1/4", "§1.13.3.4/1", "§1.18.5.2/1", "§1.21.3.1/3", "§1.23.3/4", "§1.30.3.3/1"},
		tests:        []string{"policy.TestReviewApprovals"},
	},
	"REL-BACKPORT-001": {
		requirements: []string{"§1.11.3.4/1", "§1.11.3.4/2", "§1.23.3/8", "§1.27.2/1", "§1.27.2/2", "§1.27.2/3", "§2.8.2/2"},
		tests:        []string{"policy.TestBackportProvenance"},
	},
	"REL-PRTEMPLATE-001": {
		requirements: []string{"§2.3/1", "§2.4/1", "§2.5.2/1", "§2.5.2/2", "§2.5.2/3", "§2.5.2/4", "§2.5.3/1"},
		tests:        []string{"policy.TestPullRequestTemplate", "policy.TestReadConfigPRTemplate"},
	},
	"REL-SECRETS-001": {
		requirements: []string{"§1.19.3.3/1", "§1.19.5.1/4"},
		tests:        []string{"policy.TestNoSecrets", "policy.TestScanSecrets"},
	},
	"REL-RELBRANCH-002": {
		requirements: []string{"§1.14.3/5", "§1.15.3.1/2"},
		tests:        []string{"policy.TestReleaseBranchFromMain", "cmd/relctl.TestPolicyReleaseBranchFromMain"},
	},
	"REL-RELBRANCH-003": {
		requirements: []string{"§1.15.3.3/1", "§1.15.3.3/2", "§1.15.3.3/3", "§1.15.3.6/1", "§1.25.2/3", "§1.25.4.1/2"},
		tests:        []string{"policy.TestReleaseFixesOnMain", "cmd/relctl.TestPolicyReleaseBranchFromMain"},
	},
	"REL-GONOGO-001": {
		requirements: []string{"§1.14.3/10", "§2.6.2/2"},
		tests:        []string{"policy.TestGoNoGoDecision", "manifest.TestCheckGoNoGo"},
	},
}

// ControlRequirements returns the IDs of the release policy's MUST
// sentences the built-in control id enforces ("§1.21.3.2/1", …; see
// [Requirement]), in policy order, and nil for a control that is not built
// in.
func ControlRequirements(id string) []string {
	return slices.Clone(controlTrace[id].requirements)
}
