package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/signature"
	"gopkg.in/yaml.v3"
)

// A ConfigError is a configuration problem at a line of the file (0 when
// the file as a whole is at fault). It wraps [ErrEmptyPolicy] for a file
// that enables no control.
type ConfigError struct {
	Line int
	Msg  string
	Err  error // ErrEmptyPolicy, or nil
}

// Error returns "policy: config line N: message".
func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("policy: config line %d: %s", e.Line, e.Msg)
	}
	return "policy: config: " + e.Msg
}

// Unwrap returns ErrEmptyPolicy, or nil.
func (e *ConfigError) Unwrap() error { return e.Err }

func cfgErr(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ConfigError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Default returns a policy with every built-in control in its strictest
// setting and no exception. Controls that need parameters (SignedTag's
// identities, ChangeWindow's windows, BreakGlass's approvers) fail until
// they are configured. MainReleasable is not among them: it judges main's
// check results, which only CI has, against the checks the configuration
// names.
func Default() Policy {
	return Policy{Controls: []Control{
		BranchNames{}, ConventionalCommits{}, LinearHistory{}, SignedTag{}, ChangeWindow{}, SeparationOfDuties{},
		HotfixFromTag{}, ForwardPort{}, ReleaseCutoff{}, RequiredFiles{}, PinnedPipelines{}, PinnedInputs{}, FeatureFlags{},
		EnvironmentSeparation{}, ArtifactEvidence{}, RecordComplete{}, SameDigest{},
		BreakGlass{}, IncidentRecords{},
		RequiredChecks{}, BypassRecords{}, ProtectedBranches{}, ReviewApprovals{}, BackportProvenance{},
		ReleaseNotes{}, DependencyOrder{},
		RollbackTarget{},
		VerifyProduction{}, ChangeRecords{},
		PullRequestTemplate{}, NoSecrets{}, ReleaseBranchFromMain{}, ReleaseFixesOnMain{},
		GoNoGoDecision{},
	}}
}

// Builtin returns every built-in control in its zero form: those of
// [Default], then those that mean something only once configured
// ([MainReleasable], whose checks only the configuration names).
// ReadConfig enables any of them by its ID.
func Builtin() []Control {
	return append(Default().Controls, MainReleasable{})
}

type noParams struct{}

type branchParams struct {
	Patterns []string `yaml:"patterns"`
}

type tagParams struct {
	Identities []string `yaml:"identities"`
}

type windowParams struct {
	Environments []string `yaml:"environments"`
	Windows      []struct {
		Days  []string `yaml:"days"`
		Start string   `yaml:"start"`
		End   string   `yaml:"end"`
		Zone  string   `yaml:"zone"`
	} `yaml:"windows"`
	Freezes []freezeParams `yaml:"freezes"`
}

type freezeParams struct {
	From         time.Time `yaml:"from"`
	To           time.Time `yaml:"to"`
	Reason       string    `yaml:"reason"`
	Approver     string    `yaml:"approver"`
	Scope        string    `yaml:"scope"`
	ExitCriteria string    `yaml:"exit_criteria"`
	Ticket       string    `yaml:"ticket"`
}

func (f freezeParams) freeze() Freeze {
	return Freeze{From: f.From, To: f.To, Reason: f.Reason, Approver: f.Approver, Scope: f.Scope, ExitCriteria: f.ExitCriteria, Ticket: f.Ticket}
}

type breakGlassParams struct {
	Approvers    []string `yaml:"approvers"`
	MaxDuration  string   `yaml:"max_duration"`
	ReviewWithin string   `yaml:"review_within"`
}

type mainParams struct {
	Branch  string         `yaml:"branch"`
	Checks  []string       `yaml:"checks"`
	Freezes []freezeParams `yaml:"freezes"`
}

type repoParams struct {
	ProductionPaths []string `yaml:"production_paths"`
}

type envParams struct {
	Environments map[string]Environment `yaml:"environments"`
}

type flagParams struct {
	Registry string `yaml:"registry"`
}

type checksParams struct {
	Environments map[string][]string `yaml:"environments"`
	Merge        []string            `yaml:"merge"`
	BlockOn      []string            `yaml:"block_on"`
}

type bypassParams struct {
	MaxLifetime *string `yaml:"max_lifetime"`
}

type protectParams struct {
	Branches               []string `yaml:"branches"`
	MinApprovals           *int     `yaml:"min_approvals"`
	CodeOwnersReplaceCount bool     `yaml:"code_owners_replace_count"`
	RequiredChecks         []string `yaml:"required_checks"`
	RequireSignedCommits   bool     `yaml:"require_signed_commits"`
}

type reviewParams struct {
	MinApprovals      *int `yaml:"min_approvals"`
	RequireCodeOwners bool `yaml:"require_code_owners"`
}

var dayRE = regexp.MustCompile(`^(?i)(sun|mon|tue|wed|thu|fri|sat)`)

// ReadConfig reads a policy from YAML or JSON (JSON is read as YAML):
//
//	controls:
//	  REL-BRANCH-001: {patterns: ['^main$', '^feature/[A-Z]+-[0-9]+-[a-z0-9-]+$']}
//	  REL-COMMIT-001: {}
//	  REL-TAG-001: {identities: [release-bot@example.com]}
//	  REL-WINDOW-001:
//	    environments: [production]
//	    windows: [{days: [mon, tue, wed, thu], start: "09:00", end: "16:00", zone: Europe/Berlin}]
//	    freezes: [{from: 2026-12-18T00:00:00+01:00, to: 2027-01-04T00:00:00+01:00, reason: year end}]
//	  REL-REPO-001: {production_paths: [deploy/]}
//	  REL-FLAG-001: {registry: flags/registry.yaml}
//	  REL-RECORD-001: {}
//	  REL-DIGEST-001: {}
//	  REL-ENV-001:
//	    environments:
//	      production: {identities: [release-bot@example.com], keys: ["SHA256:..."], approvers: [carol]}
//	      staging: {identities: [staging-bot@example.com], approvers: [dave]}
//	  REL-SBOM-001: {provenance_keys: ["-----BEGIN PUBLIC KEY-----\n..."]}
//	  REL-BREAKGLASS-001: {approvers: [oncall-manager@example.com], max_duration: 8h, review_within: 3d}
//	  REL-INCIDENT-001: {}
//	  REL-FREEZE-001:
//	    checks: [build, test, sast]
//	    freezes: [{from: 2026-12-18T00:00:00Z, to: 2027-01-04T00:00:00Z, reason: year end,
//	               approver: carol, scope: feature merges to main, exit_criteria: release 3.0 shipped}]
//	  REL-CHECKS-001:
//	    environments:
//	      production: [test, sast, dependency-scan, secret-scan]
//	      staging: [test]
//	    merge: [lint, test, sast, dependency-scan]
//	    block_on: [critical, high]
//	  REL-BYPASS-001: {max_lifetime: 30d}
//	  REL-PROTECT-001:
//	    branches: [main, release/*, hotfix/*]
//	    min_approvals: 2
//	    code_owners_replace_count: false
//	    required_checks: ["ci / test", "ci / sast"]   # default: REL-CHECKS-001's merge list
//	    require_signed_commits: true
//	  REL-REVIEW-001: {min_approvals: 2, require_code_owners: false}
//	  REL-BACKPORT-001: {}
//	  REL-ORDER-001: {}
//	  REL-NOTES-001: {}   # or {sections: [Summary, ...]} (default: ReleaseNotesSections)
//	  REL-ROLLBACK-001: {environments: [production]}
//	  REL-VERIFY-001: {environments: [production], within: 1h}
//	  REL-CHANGE-001: {environments: [live]}   # besides prod, production and the log's
//	  REL-PRTEMPLATE-001: {headings: {rollout: Rollout plan}, migration_field: Data migration}   # defaults: the §2.5.3 template
//	  REL-SECRETS-001: {allow_paths: [testdata/*]}   # files not scanned (throw-away test keys)
//	  REL-RELBRANCH-002: {}
//	  REL-RELBRANCH-003: {}
//	  REL-GONOGO-001: {environments: [prod-eu]}   # production besides "production" and the log's marks
//	advisory: false   # true reports failures without enforcing them
//	people:           # person: their e-mail addresses and logins (Policy.People)
//	  carol: [carol@example.com, carol-gh]
//	max_exception_lifetime: 90d   # or 2160h; the default is 90 days
//	exceptions:
//	  - {id: EXC-7, owner: ..., type: temporary, expires: 2026-03-01, ...}
//
// Each control listed is enabled, in file order; the parameters of
// [BranchNames], [SignedTag], [ChangeWindow], [RequiredFiles],
// [FeatureFlags], [EnvironmentSeparation], [ArtifactEvidence]
// (provenance_keys: PEM public keys), [RequiredChecks] (block_on:
// severities, critical among them), [BypassRecords] (max_lifetime: as
// max_exception_lifetime; it also bounds the bypasses REL-CHECKS-001
// accepts), [ProtectedBranches] (required_checks defaults to
// REL-CHECKS-001's merge list when that is configured), [ReviewApprovals],
// [BreakGlass] (approvers; max_duration and review_within as
// max_exception_lifetime), [MainReleasable] (checks; freezes recorded
// whole), [RollbackTarget] and [ChangeRecords] (environments), [VerifyProduction] (environments;
// within, as max_exception_lifetime, default 1h) and [ReleaseNotes] (sections: the required headings; an empty
// list is an error) are set as their fields, the other controls take {} or
// null. An environment of REL-CHECKS-001 without checks, an empty merge or
// required_checks list, a block_on without critical or with an unknown
// severity, a min_approvals below 2 (§1.21.3.1/3), an invalid branch
// pattern, REL-BREAKGLASS-001 without approvers and a REL-FREEZE-001
// freeze without approver, scope, reason or exit criteria are
// ConfigErrors too. Unknown keys, unknown control IDs, duplicate keys and bad values
// (an invalid pattern, day, HH:MM time or time zone) are a *[ConfigError]
// with the line they are on, and so are a people mapping that
// identity.NewDirectory refuses (an identity that does not normalise, an
// alias of two people) and a max_exception_lifetime that is not a positive
// number of days ("90d") or a Go duration ("2160h"). A file enabling no
// control is a ConfigError wrapping [ErrEmptyPolicy].
//
// [PullRequestTemplate] takes headings (part → heading phrase of an
// equivalent template; an unknown part or an empty phrase is a
// ConfigError) and migration_field; [NoSecrets] takes allow_paths
// (path.Match patterns; an invalid one is a ConfigError); [GoNoGoDecision]
// takes environments, as [RollbackTarget].
func ReadConfig(r io.Reader) (Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Policy{}, fmt.Errorf("policy: read config: %w", err)
	}
	if len(data) > 1<<20 {
		return Policy{}, cfgErr(nil, "larger than 1 MiB")
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Policy{}, &ConfigError{Msg: "empty file: list the controls to enforce", Err: ErrEmptyPolicy}
		}
		return Policy{}, &ConfigError{Line: yamlLine(err), Msg: err.Error()}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Policy{}, cfgErr(&extra, "more than one YAML document")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Policy{}, cfgErr(root, "want a mapping with controls and exceptions")
	}
	if err := noDuplicates(root); err != nil {
		return Policy{}, err
	}
	var p Policy
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "controls":
			if v.Kind != yaml.MappingNode {
				return Policy{}, cfgErr(v, "controls: want a mapping of control IDs")
			}
			if err := noDuplicates(v); err != nil {
				return Policy{}, err
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				c, err := loadControl(v.Content[j], v.Content[j+1])
				if err != nil {
					return Policy{}, err
				}
				p.Controls = append(p.Controls, c)
			}
		case "advisory":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || (v.Value != "true" && v.Value != "false") {
				return Policy{}, cfgErr(v, "advisory: want true or false")
			}
			if err := v.Decode(&p.Advisory); err != nil {
				return Policy{}, cfgErr(v, "advisory: want true or false")
			}
		case "exceptions":
			if err := decodeStrict(v, &p.Exceptions); err != nil {
				return Policy{}, err
			}
			for j, e := range p.Exceptions {
				if e.Type != "temporary" && e.Type != "permanent" {
					return Policy{}, cfgErr(v.Content[j], "exception %q: type %q is not temporary or permanent", e.ID, e.Type)
				}
			}
		case "people":
			var people map[string][]string
			if err := decodeStrict(v, &people); err != nil {
				return Policy{}, err
			}
			d, err := identity.NewDirectory(people)
			if err != nil {
				return Policy{}, cfgErr(v, "people: %v", err)
			}
			p.People = d
		case "max_exception_lifetime":
			d, err := parseLifetime("max_exception_lifetime", v)
			if err != nil {
				return Policy{}, err
			}
			p.MaxExceptionLifetime = d
		default:
			return Policy{}, cfgErr(k, "unknown key %q (want controls, exceptions, advisory, people, max_exception_lifetime)", k.Value)
		}
	}
	if len(p.Controls) == 0 {
		return Policy{}, &ConfigError{Line: root.Line, Msg: "no controls enabled: an empty policy allows nothing", Err: ErrEmptyPolicy}
	}
	linkGates(p.Controls)
	return p, nil
}

// linkGates shares settings between the gate controls of one
// configuration: REL-CHECKS-001 honours bypasses for as long as
// REL-BYPASS-001 allows them, and REL-PROTECT-001 requires REL-CHECKS-001's
// merge checks when it names none of its own.
func linkGates(cs []Control) {
	var checks *RequiredChecks
	var bypass *BypassRecords
	for _, c := range cs {
		switch c := c.(type) {
		case RequiredChecks:
			checks = &c
		case BypassRecords:
			bypass = &c
		}
	}
	for i, c := range cs {
		switch c := c.(type) {
		case RequiredChecks:
			if bypass != nil && c.MaxBypassLifetime == 0 {
				c.MaxBypassLifetime = bypass.MaxLifetime
				cs[i] = c
			}
		case ProtectedBranches:
			if checks != nil && c.RequiredChecks == nil && checks.Merge != nil {
				c.RequiredChecks = slices.Clone(checks.Merge)
				cs[i] = c
			}
		}
	}
}

// parseLifetime reads the lifetime key (max_exception_lifetime, ...): a
// positive whole number of days ("90d") or a positive Go duration
// ("2160h").
func parseLifetime(key string, v *yaml.Node) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, cfgErr(v, "%s %q: want a positive number of days (90d) or a duration (2160h)", key, v.Value)
	}
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return bad()
	}
	var d time.Duration
	if n, ok := strings.CutSuffix(v.Value, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 100*366 || strings.HasPrefix(n, "+") {
			return bad()
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v.Value); err != nil {
			return bad()
		}
	}
	if d <= 0 {
		return bad()
	}
	return d, nil
}

func loadControl(k, v *yaml.Node) (Control, error) {
	switch k.Value {
	case "REL-PRTEMPLATE-001":
		return loadPRTemplate(v)
	case "REL-SECRETS-001":
		return loadNoSecrets(v)
	case "REL-GONOGO-001":
		return loadGoNoGo(v)
	case "REL-RELBRANCH-002", "REL-RELBRANCH-003":
		if err := decodeStrict(v, &noParams{}); err != nil {
			return nil, err
		}
		if k.Value == "REL-RELBRANCH-002" {
			return ReleaseBranchFromMain{}, nil
		}
		return ReleaseFixesOnMain{}, nil
	case "REL-COMMIT-001", "REL-HISTORY-001", "REL-SOD-001", "REL-HOTFIX-001", "REL-HOTFIX-002", "REL-RELBRANCH-001", "REL-PIPE-001", "REL-DEPS-001", "REL-RECORD-001", "REL-DIGEST-001", "REL-BACKPORT-001":
		if err := decodeStrict(v, &noParams{}); err != nil {
			return nil, err
		}
		switch k.Value {
		case "REL-COMMIT-001":
			return ConventionalCommits{}, nil
		case "REL-HISTORY-001":
			return LinearHistory{}, nil
		case "REL-SOD-001":
			return SeparationOfDuties{}, nil
		case "REL-HOTFIX-001":
			return HotfixFromTag{}, nil
		case "REL-HOTFIX-002":
			return ForwardPort{}, nil
		case "REL-RELBRANCH-001":
			return ReleaseCutoff{}, nil
		case "REL-PIPE-001":
			return PinnedPipelines{}, nil
		case "REL-RECORD-001":
			return RecordComplete{}, nil
		case "REL-DIGEST-001":
			return SameDigest{}, nil
		case "REL-BACKPORT-001":
			return BackportProvenance{}, nil
		default:
			return PinnedInputs{}, nil
		}
	case "REL-BRANCH-001":
		var pr branchParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		for i, pat := range pr.Patterns {
			if _, err := regexp.Compile(pat); err != nil {
				return nil, cfgErr(seqItem(v, "patterns", i), "pattern %q: %v", pat, err)
			}
		}
		return BranchNames{Patterns: pr.Patterns}, nil
	case "REL-TAG-001":
		var pr tagParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		return SignedTag{Identities: pr.Identities}, nil
	case "REL-WINDOW-001":
		return loadWindows(v)
	case "REL-REPO-001":
		var pr repoParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		return RequiredFiles{ProductionPaths: pr.ProductionPaths}, nil
	case "REL-ENV-001":
		var pr envParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		return EnvironmentSeparation{Environments: pr.Environments}, nil
	case "REL-SBOM-001":
		var pr struct {
			Keys []string `yaml:"provenance_keys"`
		}
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		var c ArtifactEvidence
		for i, k := range pr.Keys {
			kv, err := signature.ParsePublicKeyPEM([]byte(k))
			if err != nil {
				return nil, cfgErr(seqItem(v, "provenance_keys", i), "provenance key: %v", err)
			}
			c.Verifiers = append(c.Verifiers, kv)
		}
		return c, nil
	case "REL-BREAKGLASS-001":
		return loadBreakGlass(v)
	case "REL-INCIDENT-001":
		if err := decodeStrict(v, &noParams{}); err != nil {
			return nil, err
		}
		return IncidentRecords{}, nil
	case "REL-FREEZE-001":
		return loadMainReleasable(v)
	case "REL-ROLLBACK-001":
		envs, err := productionEnvs(v)
		if err != nil {
			return nil, err
		}
		return RollbackTarget{Environments: envs}, nil
	case "REL-VERIFY-001":
		return loadVerify(v)
	case "REL-CHANGE-001":
		envs, err := productionEnvs(v)
		if err != nil {
			return nil, err
		}
		return ChangeRecords{Environments: envs}, nil
	case "REL-FLAG-001":
		var pr flagParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		return FeatureFlags{Registry: pr.Registry}, nil
	case "REL-CHECKS-001":
		return loadChecks(v)
	case "REL-BYPASS-001":
		var pr bypassParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		var c BypassRecords
		if n := mapValue(v, "max_lifetime"); n != nil {
			d, err := parseLifetime("max_lifetime", n)
			if err != nil {
				return nil, err
			}
			c.MaxLifetime = d
		}
		return c, nil
	case "REL-PROTECT-001":
		var pr protectParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		for i, b := range pr.Branches {
			if _, err := path.Match(b, ""); err != nil || strings.TrimSpace(b) == "" {
				return nil, cfgErr(seqItem(v, "branches", i), "branch pattern %q: want a branch name or a path.Match pattern (release/*)", b)
			}
		}
		if pr.RequiredChecks != nil && len(pr.RequiredChecks) == 0 {
			return nil, cfgErr(mapValue(v, "required_checks"), "required_checks: list the status checks protected branches must require, or leave it out")
		}
		if err := noBlank(v, "required_checks", pr.RequiredChecks); err != nil {
			return nil, err
		}
		c := ProtectedBranches{Branches: pr.Branches, CodeOwnersReplaceCount: pr.CodeOwnersReplaceCount, RequiredChecks: pr.RequiredChecks, RequireSignedCommits: pr.RequireSignedCommits}
		if pr.MinApprovals != nil {
			if *pr.MinApprovals < DefaultMinApprovals {
				return nil, cfgErr(mapValue(v, "min_approvals"), "min_approvals %d: §1.21.3.1 requires at least %d", *pr.MinApprovals, DefaultMinApprovals)
			}
			c.MinApprovals = *pr.MinApprovals
		}
		return c, nil
	case "REL-REVIEW-001":
		var pr reviewParams
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		c := ReviewApprovals{RequireCodeOwners: pr.RequireCodeOwners}
		if pr.MinApprovals != nil {
			if *pr.MinApprovals < DefaultMinApprovals {
				return nil, cfgErr(mapValue(v, "min_approvals"), "min_approvals %d: §1.21.3.1 requires at least %d", *pr.MinApprovals, DefaultMinApprovals)
			}
			c.MinApprovals = *pr.MinApprovals
		}
		return c, nil
	case "REL-ORDER-001":
		if err := decodeStrict(v, &noParams{}); err != nil {
			return nil, err
		}
		return DependencyOrder{}, nil
	case "REL-NOTES-001":
		var pr struct {
			Sections []string `yaml:"sections"`
		}
		if err := decodeStrict(v, &pr); err != nil {
			return nil, err
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			if v.Content[j].Value == "sections" && len(pr.Sections) == 0 {
				return nil, cfgErr(v.Content[j+1], "sections: empty list (omit it for the policy's sections)")
			}
		}
		for i, s := range pr.Sections {
			if strings.TrimSpace(s) == "" {
				return nil, cfgErr(seqItem(v, "sections", i), "empty section heading")
			}
		}
		return ReleaseNotes{Sections: pr.Sections}, nil
	}
	return nil, cfgErr(k, "unknown control %q", k.Value)
}

func loadChecks(v *yaml.Node) (Control, error) {
	var pr checksParams
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	c := RequiredChecks{Environments: pr.Environments, Merge: pr.Merge}
	envs := mapValue(v, "environments")
	if pr.Environments != nil && len(pr.Environments) == 0 {
		return nil, cfgErr(envs, "environments: name each environment with the checks its promotions require, or leave it out")
	}
	for j := 0; envs != nil && j+1 < len(envs.Content); j += 2 {
		name := envs.Content[j].Value
		if len(pr.Environments[name]) == 0 {
			return nil, cfgErr(envs.Content[j], "environment %q lists no required checks", name)
		}
		if err := noBlank(envs, name, pr.Environments[name]); err != nil {
			return nil, err
		}
	}
	if pr.Merge != nil && len(pr.Merge) == 0 {
		return nil, cfgErr(mapValue(v, "merge"), "merge: list the checks a pull request requires, or leave it out")
	}
	if err := noBlank(v, "merge", pr.Merge); err != nil {
		return nil, err
	}
	if pr.BlockOn != nil {
		for i, s := range pr.BlockOn {
			switch Severity(s) {
			case Critical, High, Medium, Low:
				c.BlockOn = append(c.BlockOn, Severity(s))
			default:
				return nil, cfgErr(seqItem(v, "block_on", i), "block_on %q: want critical, high, medium or low", s)
			}
		}
		if !slices.Contains(c.BlockOn, Critical) {
			return nil, cfgErr(mapValue(v, "block_on"), "block_on must include critical (§1.7.3: block promotion on criticals)")
		}
	}
	return c, nil
}

// mapValue returns the value of key in the mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			return m.Content[j+1]
		}
	}
	return nil
}

// noBlank refuses an empty entry of list, the value of key in m.
func noBlank(m *yaml.Node, key string, list []string) error {
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			return cfgErr(seqItem(m, key, i), "%s: empty entry", key)
		}
	}
	return nil
}

// loadVerify decodes REL-VERIFY-001's {environments: [NAME, ...],
// within: 1h}; within is a positive duration ("1h", "30m", "1d").
func loadVerify(v *yaml.Node) (Control, error) {
	var pr struct {
		Environments []string `yaml:"environments"`
		Within       string   `yaml:"within"`
	}
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	if err := noBlank(v, "environments", pr.Environments); err != nil {
		return nil, err
	}
	c := VerifyProduction{Environments: pr.Environments}
	if n := mapValue(v, "within"); n != nil {
		d, err := parseLifetime("within", n)
		if err != nil {
			return nil, err
		}
		c.Within = d
	}
	return c, nil
}

// productionEnvs decodes the parameters of a lifecycle control,
// {environments: [NAME, ...]}: production environments besides those the
// log marks as production. An empty name is an error.
func productionEnvs(v *yaml.Node) ([]string, error) {
	var pr struct {
		Environments []string `yaml:"environments"`
	}
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	for i, e := range pr.Environments {
		if strings.TrimSpace(e) == "" {
			return nil, cfgErr(seqItem(v, "environments", i), "empty environment name")
		}
	}
	return pr.Environments, nil
}

func loadWindows(v *yaml.Node) (Control, error) {
	var pr windowParams
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	c := ChangeWindow{Environments: pr.Environments}
	for i, w := range pr.Windows {
		at := seqItem(v, "windows", i)
		win := Window{Start: w.Start, End: w.End, Zone: w.Zone}
		if len(w.Days) == 0 {
			return nil, cfgErr(at, "window without days")
		}
		for _, d := range w.Days {
			m := dayRE.FindString(d)
			if m == "" || (len(d) > 3 && !strings.EqualFold(d, dayName(m))) {
				return nil, cfgErr(at, "day %q: want mon, tue, ... or monday, tuesday, ...", d)
			}
			win.Days = append(win.Days, dayOf(m))
		}
		if _, err := win.contains(time.Time{}); err != nil {
			return nil, cfgErr(at, "%v", err)
		}
		c.Windows = append(c.Windows, win)
	}
	for i, f := range pr.Freezes {
		if f.From.IsZero() || !f.To.After(f.From) {
			return nil, cfgErr(seqItem(v, "freezes", i), "freeze needs from and a later to")
		}
		c.Freezes = append(c.Freezes, f.freeze())
	}
	return c, nil
}

func loadBreakGlass(v *yaml.Node) (Control, error) {
	var pr breakGlassParams
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	if len(pr.Approvers) == 0 {
		return nil, cfgErr(v, "REL-BREAKGLASS-001: approvers: name the emergency approval path (the on-call managers)")
	}
	for i, a := range pr.Approvers {
		if _, err := identity.Normalize(a); err != nil {
			return nil, cfgErr(seqItem(v, "approvers", i), "approver %q: %v", a, err)
		}
	}
	c := BreakGlass{Approvers: pr.Approvers}
	for _, d := range []struct {
		key, val string
		to       *time.Duration
	}{{"max_duration", pr.MaxDuration, &c.MaxDuration}, {"review_within", pr.ReviewWithin, &c.ReviewWithin}} {
		if d.val == "" {
			continue
		}
		n := mapValue(v, d.key)
		dur, err := parseLifetime(d.key, n)
		if err != nil {
			return nil, err
		}
		*d.to = dur
	}
	return c, nil
}

func loadMainReleasable(v *yaml.Node) (Control, error) {
	var pr mainParams
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	if len(pr.Checks) == 0 {
		return nil, cfgErr(v, "REL-FREEZE-001: checks: list the checks that make main releasable")
	}
	c := MainReleasable{Branch: pr.Branch, Checks: pr.Checks}
	for i, f := range pr.Freezes {
		fr := f.freeze()
		if miss := fr.Missing(); len(miss) > 0 {
			return nil, cfgErr(seqItem(v, "freezes", i), "freeze is not approved and recorded: it lacks %s", strings.Join(miss, ", "))
		}
		c.Freezes = append(c.Freezes, fr)
	}
	return c, nil
}

func dayOf(abbr string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String()[:3], abbr) {
			return d
		}
	}
	return time.Sunday
}

func dayName(abbr string) string { return dayOf(abbr).String() }

// seqItem returns the node of item i of the sequence under key in the
// mapping m, or m.
func seqItem(m *yaml.Node, key string, i int) *yaml.Node {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key && i < len(m.Content[j+1].Content) {
			return m.Content[j+1].Content[i]
		}
	}
	return m
}

// decodeStrict checks that n has only the keys v's type declares, then
// decodes it; errors carry the line.
func decodeStrict(n *yaml.Node, v any) error {
	if err := checkKeys(n, reflect.TypeOf(v).Elem()); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		return &ConfigError{Line: yamlLine(err), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return nil
}

func checkKeys(n *yaml.Node, t reflect.Type) error {
	if n.Kind == yaml.AliasNode {
		return cfgErr(n, "aliases are not allowed")
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			return cfgErr(n, "want a mapping")
		}
		if err := noDuplicates(n); err != nil {
			return err
		}
		for i := 1; i < len(n.Content); i += 2 {
			if err := checkKeys(n.Content[i], t.Elem()); err != nil {
				return err
			}
		}
		return nil
	case t == reflect.TypeOf(time.Time{}):
		var tm time.Time
		if n.Kind != yaml.ScalarNode || n.Decode(&tm) != nil {
			return cfgErr(n, "%q is not a time: want RFC 3339 or YYYY-MM-DD", n.Value)
		}
		return nil
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return cfgErr(n, "want a mapping")
		}
		if err := noDuplicates(n); err != nil {
			return err
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := fieldByTag(t, k.Value)
			if !ok {
				return cfgErr(k, "unknown key %q (want %s)", k.Value, strings.Join(tags(t), ", "))
			}
			if err := checkKeys(n.Content[i+1], f.Type); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return cfgErr(n, "want a list")
		}
		for _, c := range n.Content {
			if err := checkKeys(c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// noDuplicates rejects a mapping that repeats a key.
func noDuplicates(m *yaml.Node) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if seen[k.Value] {
			return cfgErr(k, "key %q already defined", k.Value)
		}
		seen[k.Value] = true
	}
	return nil
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == name && tag != "" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tags(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" {
			out = append(out, tag)
		}
	}
	if len(out) == 0 {
		out = []string{"no parameters"}
	}
	return out
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// yamlLine extracts the first line number of a yaml.v3 error message.
func yamlLine(err error) int {
	m := lineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n := 0
	fmt.Sscan(m[1], &n)
	return n
}
