package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// FileName is the name of the configuration file at the root of a
// repository.
const FileName = ".releasekit.yaml"

// MaxFileSize bounds the configuration file and every file it names
// (keys, allowed_signers, keyrings, the policy file, JWKS): 1 MiB.
const MaxFileSize = 1 << 20

// DefaultMaxExceptionLifetime is how long a policy exception may run when
// the configuration does not say (exceptions.max_lifetime): 90 days.
const DefaultMaxExceptionLifetime = 90 * 24 * time.Hour

// LimitMaxExceptionLifetime is the longest exceptions.max_lifetime a
// configuration may set: 366 days. An exception is temporary.
const LimitMaxExceptionLifetime = 366 * 24 * time.Hour

// ErrNotFound is returned by [Find] when no configuration file exists in
// the directory or its parents up to the repository root.
var ErrNotFound = errors.New("config: no configuration file")

// ErrInvalid is matched by every [*Error]: the configuration cannot be read
// or breaks the schema or a rule.
var ErrInvalid = errors.New("config: invalid configuration")

// ErrNotAuthorized is matched by every [*AuthError].
var ErrNotAuthorized = errors.New("config: not authorized")

// A Problem is one thing wrong with a configuration: where (Line and Column,
// 1-based, of the YAML node at fault; 0 when the file as a whole is) and
// Path, the JSON pointer of the value in the document
// ("/environments/2/approvers"; "" for the document).
type Problem struct {
	Line, Column int
	Path, Msg    string
}

// String returns "line:col: msg", "line: msg" without a column, or "msg".
func (p Problem) String() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Msg)
	case p.Line > 0:
		return fmt.Sprintf("%d: %s", p.Line, p.Msg)
	}
	return p.Msg
}

// An Error lists every problem of the configuration file File, in the order
// of the file. It matches [ErrInvalid].
type Error struct {
	File     string
	Problems []Problem
}

// Error returns one line per problem, "file:line:col: msg".
func (e *Error) Error() string {
	file := e.File
	if file == "" {
		file = FileName
	}
	if len(e.Problems) == 0 {
		return file + ": invalid configuration"
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = file + ":" + p.String()
		if p.Line == 0 {
			lines[i] = file + ": " + p.Msg
		}
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns [ErrInvalid].
func (e *Error) Unwrap() error { return ErrInvalid }

// An Action is what an identity does in an environment: manifest's, so
// that a *Config is the manifest.Authorizer of promotions
// (manifest.WithAuthorizer(cfg)).
type Action = manifest.Action

// The actions an environment's permissions name.
const (
	ActionDeploy    = manifest.ActionDeploy    // trigger a deployment (promote)
	ActionApprove   = manifest.ActionApprove   // approve a deployment
	ActionRollback  = manifest.ActionRollback  // roll the environment back
	ActionConfigure = manifest.ActionConfigure // change the environment's configuration
)

// Actions returns the actions in the order [Config.Explain] lists them.
func Actions() []Action {
	return []Action{ActionDeploy, ActionApprove, ActionRollback, ActionConfigure}
}

// An AuthError says that Identity may not take Action in Env, and why
// (Reason, a short lower-case phrase). It matches [ErrNotAuthorized].
type AuthError struct {
	Env      string
	Action   Action
	Identity string
	Reason   string
}

// Error returns `config: "who" may not ACTION in ENV: reason`.
func (e *AuthError) Error() string {
	return fmt.Sprintf("config: %q may not %s in %s: %s", e.Identity, e.Action, e.Env, e.Reason)
}

// Unwrap returns [ErrNotAuthorized].
func (e *AuthError) Unwrap() error { return ErrNotAuthorized }

// A Config is a release configuration, as [ReadFile] or [Parse] return it:
// valid against the schema and the rules of the package. Its slices and maps
// are the caller's once returned; a Config is not modified by its methods,
// which are safe for concurrent use.
type Config struct {
	Version      int                 // 1
	File         string              // the path it was read from; relative paths in it resolve against its directory
	Components   []Component         // the released components; none: the repository, tagged vX.Y.Z
	Changelog    Changelog           // changelog settings
	Trust        Trust               // keys trusted per kind of signature
	Environments []Environment       // in promotion order
	People       map[string][]string // person -> e-mail addresses and logins (the identity directory)
	Policy       PolicyRef           // the release policy, from a file or inline
	Exceptions   ExceptionRules      // limits on policy exceptions
	Stores       Stores              // where the evidence is kept
	Identity     IdentityConfig      // the CI systems whose OIDC ID tokens identify who acts
	Forge        Forge               // the code-hosting service; Kind "" when none is configured

	keys     map[string][]KeyInfo     // absolute key file path -> the keys it holds
	jwks     map[string][]byte        // absolute JWKS file path -> its content, as parsed
	jwksKeys map[string][]idtoken.Key // absolute JWKS file path -> its usable keys
}

// A Component is one released unit of the repository.
type Component struct {
	Name            string   // "api"
	Path            string   // the directory its commits touch, relative to the configuration's directory ("" or "." the whole repository)
	TagPrefix       string   // tags are TagPrefix + version ("v", "api/v"); default "v"
	Scheme          string   // "semver" (default) or "calver"
	ZeroMajor       string   // "pre-major" (default: a breaking change at 0.x bumps the minor) or "major"
	Channels        []string // the pre-release channels used: alpha, beta, rc
	InitialVersion  string   // the first release when no tag exists (default 0.1.0)
	ReleaseBranches []string // regular expressions of release branch names
	HotfixBranches  []string // regular expressions of hotfix branch names
	VersionFiles    []string // files holding the version, slash-separated, relative to the configuration's directory
	ChangelogFile   string   // the changelog a release PR prepends the release to ("" none)
}

// Forge names the code-hosting service release PRs, releases and
// statuses go to: Kind "github", "gitlab" or "gitea", the API's URL, the
// Repository ("owner/name") and the Base branch release PRs target. The
// token is never in the configuration: package forge reads it from the
// environment.
type Forge struct {
	Kind, URL, Repository, Base string
}

// Changelog holds the changelog settings, under the names package changelog
// uses for them.
type Changelog struct {
	Sections      []Section // the sections and their order (default: changelog.DefaultSections)
	TicketPattern string    // the ticket reference pattern (default: commits.DefaultTicketPattern)
	Links         Links     // URL templates
}

// A Section is one changelog section: the commits of Type under Title,
// hidden unless breaking when Hidden (changelog.SectionConfig).
type Section struct {
	Type, Title string
	Hidden      bool
}

// Links are the changelog's URL templates (changelog.Links): {hash} in
// Commit, {pr} in PR, {ticket} in Ticket, {from} and {to} in Compare.
type Links struct {
	Commit, PR, Ticket, Compare string
}

// Trust holds the keys trusted for each kind of signature.
type Trust struct {
	Tags        KeySet // release tags
	Provenance  KeySet // SBOM attestations and provenance envelopes
	Manifests   KeySet // signed multi-repo manifests
	Checkpoints KeySet // promotion log checkpoints
}

// A KeySet names trusted keys by file: an SSH allowed_signers file, an
// armored OpenPGP keyring, and PEM public keys. Paths are absolute once
// loaded. The zero KeySet trusts nothing.
type KeySet struct {
	AllowedSigners string
	Keyring        string
	Keys           []string
}

// Empty reports whether k names no key.
func (k KeySet) Empty() bool {
	return k.AllowedSigners == "" && k.Keyring == "" && len(k.Keys) == 0
}

// KeyInfo describes one trusted key, for an auditor: its fingerprint
// ("SHA256:..." for SSH keys, the hex SHA-256 of the public key for PEM
// keys), its type and, for allowed_signers entries, the principals it may
// sign as and the namespaces it may sign in.
type KeyInfo struct {
	Fingerprint string   `json:"fingerprint"`
	Type        string   `json:"type"`
	Principals  []string `json:"principals,omitempty"`
	Namespaces  []string `json:"namespaces,omitempty"` // the signature namespaces it may sign in; none: any
}

// Keys returns what the configuration found in the key file path (an
// absolute path of a KeySet): nil for a keyring, whose keys are not listed.
func (c *Config) Keys(path string) []KeyInfo {
	return c.keys[path]
}

// An Environment is one step of the promotion order with its access policy.
type Environment struct {
	Name        string
	Production  bool
	Approvers   []string    // who may approve here: the same list as Permissions.Approve
	Permissions Permissions // who may do what; a nil list is not restricted by identity
	Controls    []string    // IDs of the controls that gate it (REL-...)
	Windows     []Window    // change windows; none: any time
	Freezes     []Freeze    // change freezes
	// VerifiedIdentity: whoever acts here must be identified by an OIDC
	// token of identity.issuers (verified_identity; by default true for a
	// production environment when issuers are configured).
	VerifiedIdentity bool
}

// Permissions list, per action, the identities (people, e-mail addresses or
// logins) allowed to take it. A nil list is not restricted by identity;
// the schema refuses an empty one.
type Permissions struct {
	Deploy, Approve, Rollback, Configure []string
}

// A Window is a weekly change window, as the policy's REL-WINDOW-001 reads it.
type Window = policy.Window

// A Freeze is a change freeze, as the policy's REL-WINDOW-001 reads it.
type Freeze = policy.Freeze

// Allowed returns who may take action a in e and whether a is restricted by
// identity at all. Rollback in a production environment without its own
// list falls back to the approvers. An unknown action is restricted to
// nobody.
func (e Environment) Allowed(a Action) (ids []string, restricted bool) {
	switch a {
	case ActionDeploy:
		return e.Permissions.Deploy, e.Permissions.Deploy != nil
	case ActionApprove:
		return e.Permissions.Approve, e.Permissions.Approve != nil
	case ActionRollback:
		if e.Permissions.Rollback == nil && e.Production {
			return e.Permissions.Approve, e.Permissions.Approve != nil
		}
		return e.Permissions.Rollback, e.Permissions.Rollback != nil
	case ActionConfigure:
		return e.Permissions.Configure, e.Permissions.Configure != nil
	}
	return nil, true
}

// PolicyRef is the release policy the configuration names: a policy file
// (File, absolute) or the policy written inline (Inline), read with
// policy.ReadConfig in both cases. Policy is nil when the configuration
// names none.
type PolicyRef struct {
	File   string
	Inline bool
	Policy *policy.Policy
}

// ControlIDs returns the IDs of the controls the policy enables, in its
// order, or nil without a policy.
func (p PolicyRef) ControlIDs() []string {
	if p.Policy == nil {
		return nil
	}
	ids := make([]string, 0, len(p.Policy.Controls))
	for _, c := range p.Policy.Controls {
		ids = append(ids, c.Meta().ID)
	}
	return ids
}

// ExceptionRules limit policy exceptions.
type ExceptionRules struct {
	MaxLifetime time.Duration // the longest an exception may run; DefaultMaxExceptionLifetime unless set
	Default     bool          // MaxLifetime is the default, not configured
}

// Stores says where the evidence is kept: a directory store (Store) or a
// git repository (GitStore), both absolute, or an OCI registry repository
// (OCIStore, host[:port]/repository, opened with package ocistore); at
// most one is set.
type Stores struct {
	Store, GitStore string
	OCIStore        string
}

// Order returns the environment names in promotion order.
func (c *Config) Order() []string {
	names := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		names[i] = e.Name
	}
	return names
}

// Env returns the environment named name.
func (c *Config) Env(name string) (Environment, bool) {
	for _, e := range c.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return Environment{}, false
}

// Authorize returns nil when who may take action a in the environment env,
// and an *[AuthError] (matching [ErrNotAuthorized]) when not: an unknown
// environment or action, an empty or malformed identity, or an identity not
// among those the environment allows for a. An action whose list is absent
// is not restricted by identity; rollback in production falls back to the
// approvers (see [Environment.Allowed]). Identities are the same when they
// are equal after normalisation or belong to one person of People.
func (c *Config) Authorize(env string, a Action, who string) error {
	deny := func(reason string) error {
		return &AuthError{Env: env, Action: a, Identity: who, Reason: reason}
	}
	e, ok := c.Env(env)
	if !ok {
		return deny("environment not configured")
	}
	switch a {
	case ActionDeploy, ActionApprove, ActionRollback, ActionConfigure:
	default:
		return deny("unknown action")
	}
	if strings.TrimSpace(who) == "" {
		return deny("no identity given")
	}
	if msg := badIdentity(who); msg != "" {
		return deny("invalid identity: " + msg)
	}
	ids, restricted := e.Allowed(a)
	if !restricted {
		return nil
	}
	dir, err := c.Directory()
	if err != nil {
		return deny("people: " + err.Error())
	}
	if ok, err := dir.Contains(ids, who); err != nil {
		return deny("invalid identity: " + err.Error())
	} else if ok {
		return nil
	}
	return deny("not listed for " + string(a) + " in " + env)
}

// A *Config decides who may do what in promotions, and whether two
// identities may be one person.
var (
	_ manifest.Authorizer = (*Config)(nil)
	_ manifest.Separator  = (*Config)(nil)
)

// Conflict reports whether a and b may be the same person, through the
// people directory ([identity.Directory.Conflict]): manifest refuses a
// production approver who may be the releaser.
func (c *Config) Conflict(a, b string) (bool, error) {
	dir, err := c.Directory()
	if err != nil {
		return false, err
	}
	return dir.Conflict(a, b)
}

// Directory returns the identity directory of People: the one place
// identities are compared (normalised, and e-mail addresses and logins
// mapped to one person).
func (c *Config) Directory() (*identity.Directory, error) {
	return identity.NewDirectory(c.People)
}

// badIdentity returns why id cannot be an identity, or "" (identity.Normalize).
func badIdentity(id string) string {
	if _, err := identity.Normalize(id); err != nil {
		var ie *identity.Error
		if errors.As(err, &ie) {
			if ie.Detail != "" {
				return ie.Reason + " (" + ie.Detail + ")"
			}
			return ie.Reason
		}
		return err.Error()
	}
	return ""
}
