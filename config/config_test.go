package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
)

// signersLine is an allowed_signers entry (the CI example's key).
const signersLine = `release-bot@example.com namespaces="git" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHQbq+RFjv1TiUqd7TusAu71ONIizD4e3rFZRXTDlXOw` + "\n"

// minimal is the configuration of issue 19, the contract pipelines script
// against.
const minimal = `version: 1
trust:
  tags:
    allowed_signers: allowed_signers   # path relative to the file; or keyring: FILE
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [cleo@example.com]     # identities allowed to approve here
`

// dir returns a temporary directory holding files (name -> content).
func dir(t *testing.T, files map[string]string) string {
	t.Helper()
	d := t.TempDir()
	for name, content := range files {
		p := filepath.Join(d, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return d
}

// parse writes content as the configuration file of a directory that also
// holds allowed_signers and returns what ReadFile says.
func parse(t *testing.T, content string, extra ...string) (*config.Config, error) {
	t.Helper()
	files := map[string]string{config.FileName: content, "allowed_signers": signersLine}
	for i := 0; i+1 < len(extra); i += 2 {
		files[extra[i]] = extra[i+1]
	}
	d := dir(t, files)
	return config.ReadFile(filepath.Join(d, config.FileName))
}

func TestMinimal(t *testing.T) {
	cfg, err := parse(t, minimal)
	require.NoError(t, err)
	assert.Equal(t, 1, cfg.Version)
	assert.Equal(t, []string{"dev", "staging", "prod"}, cfg.Order())
	prod, ok := cfg.Env("prod")
	require.True(t, ok)
	assert.True(t, prod.Production)
	assert.Equal(t, []string{"cleo@example.com"}, prod.Approvers)
	assert.Equal(t, prod.Approvers, prod.Permissions.Approve)
	assert.True(t, filepath.IsAbs(cfg.Trust.Tags.AllowedSigners))
	assert.Equal(t, "allowed_signers", filepath.Base(cfg.Trust.Tags.AllowedSigners))
	keys := cfg.Keys(cfg.Trust.Tags.AllowedSigners)
	require.Len(t, keys, 1)
	assert.Equal(t, "SHA256:PP+vzxLMmi/OrlP8NDcyYs4rFQwLuDC7tPWF+PDmERo", keys[0].Fingerprint)
	assert.Equal(t, []string{"git"}, keys[0].Namespaces)
	assert.Equal(t, config.DefaultMaxExceptionLifetime, cfg.Exceptions.MaxLifetime)
	assert.True(t, cfg.Exceptions.Default)
	assert.Nil(t, cfg.Policy.Policy)
	_, ok = cfg.Env("qa")
	assert.False(t, ok)
}

func TestAuthorize(t *testing.T) {
	cfg, err := parse(t, `version: 1
environments:
  - name: dev
  - name: staging
    permissions: {deploy: [ci-bot]}
  - name: prod
    production: true
    approvers: [cleo]
    permissions: {deploy: [ci-bot], configure: [ops@example.com]}
people:
  cleo: [cleo@example.com, cleo-gh]
`)
	require.NoError(t, err)
	for _, tc := range []struct {
		env    string
		action config.Action
		who    string
		reason string // "" when allowed
	}{
		{"prod", config.ActionApprove, "cleo", ""},
		{"prod", config.ActionApprove, "Cleo@Example.com", ""}, // an alias of the person
		{"prod", config.ActionApprove, "cleo-gh", ""},
		{"prod", config.ActionApprove, " cleo ", ""},
		{"prod", config.ActionRollback, "cleo@example.com", ""}, // production rollback: the approvers
		{"prod", config.ActionRollback, "ci-bot", "not listed for rollback in prod"},
		{"prod", config.ActionApprove, "mallory", "not listed for approve in prod"},
		{"prod", config.ActionApprove, "ci-bot", "not listed for approve in prod"},
		{"prod", config.ActionDeploy, "ci-bot", ""},
		{"prod", config.ActionDeploy, "cleo", "not listed for deploy in prod"},
		{"prod", config.ActionConfigure, "OPS@example.com", ""},
		{"prod", config.ActionApprove, "", "no identity given"},
		{"prod", config.ActionApprove, "  ", "no identity given"},
		{"prod", config.ActionApprove, "cleo\u200b", "invalid identity: invisible character (U+200B)"},
		{"prod", config.ActionApprove, "cle o", "invalid identity: whitespace inside (U+0020)"},
		{"prod", config.ActionApprove, "ｃｌｅｏ", ""}, // fullwidth letters: the same identity after NFKC
		{"prod", config.ActionApprove, "cleo\x1b[0m", "invalid identity: control character (U+001B)"},
		{"prod", "promote", "cleo", "unknown action"},
		{"qa", config.ActionDeploy, "cleo", "environment not configured"},
		{"dev", config.ActionDeploy, "anyone", ""}, // not restricted by identity
		{"dev", config.ActionRollback, "anyone", ""},
		{"staging", config.ActionDeploy, "anyone", "not listed for deploy in staging"},
		{"staging", config.ActionApprove, "anyone", ""},
	} {
		t.Run(string(tc.action)+"/"+tc.env+"/"+tc.who, func(t *testing.T) {
			err := cfg.Authorize(tc.env, tc.action, tc.who)
			if tc.reason == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, config.ErrNotAuthorized)
			var ae *config.AuthError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.reason, ae.Reason)
			assert.Equal(t, tc.env, ae.Env)
			assert.Equal(t, tc.action, ae.Action)
			assert.Equal(t, tc.who, ae.Identity)
		})
	}
}

func TestAllowed(t *testing.T) {
	e := config.Environment{Production: true, Permissions: config.Permissions{Approve: []string{"a"}}}
	ids, restricted := e.Allowed(config.ActionRollback)
	assert.True(t, restricted)
	assert.Equal(t, []string{"a"}, ids)
	e.Production = false
	_, restricted = e.Allowed(config.ActionRollback)
	assert.False(t, restricted)
	_, restricted = e.Allowed("launch")
	assert.True(t, restricted)
}

// TestProblems checks that each broken configuration is refused with the
// problem at its line and column.
func TestProblems(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		want    []string // "line:col: substring" per problem, in order
	}{
		{"typo key", "version: 1\nenvironmnets: []\n", []string{`2:1: unknown key "environmnets" (want changelog, components, environments,`}},
		{"nested typo key", minimal + "    aprovers: [x]\n", []string{`11:5: environments[2]: unknown key "aprovers"`}},
		{"wrong type", "version: 1\nenvironments:\n  - name: prod\n    production: yes please\n    approvers: [a]\n", []string{"4:17: environments[0].production: want boolean, got string"}},
		{"wrong type list", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: cleo\n", []string{"5:16: environments[0].approvers: want array, got string"}},
		{"duplicate key", "version: 1\nenvironments: [{name: dev}]\nenvironments: [{name: prod}]\n", []string{`3:1: key "environments" already defined`}},
		{"duplicate nested key", "version: 1\nenvironments:\n  - name: dev\n    name: prod\n", []string{`4:5: key "name" already defined`}},
		{"syntax", "version: 1\nenvironments: [\n", []string{"2:1: YAML syntax:"}},
		{"tab", "version: 1\n\tenvironments: []\n", []string{"2:1: YAML syntax:"}},
		{"version 2", "version: 2\nwhatever: true\n", []string{"1:10: version 2 is not supported"}},
		{"version missing", "environments: [{name: dev}]\n", []string{`1:1: configuration: missing key "version"`}},
		{"version string", "version: \"1\"\n", []string{"1:10: version: want integer, got string"}},
		{"empty", "", []string{"empty file"}},
		{"not a mapping", "- version: 1\n", []string{"1:1: want a mapping"}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"more than one YAML document"}},
		{"alias", "version: 1\nx: &a [1]\nenvironments: *a\n", []string{`2:1: unknown key "x"`, "3:15: aliases are not allowed"}},
		{"custom tag", "version: 1\nstores: {store: !secret x}\n", []string{"2:17: tag !secret is not allowed"}},
		{"production without approvers", "version: 1\nenvironments:\n  - name: dev\n  - name: prod\n    production: true\n", []string{`4:11: environment "prod" is production and names no approvers`}},
		{"empty approvers", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: []\n", []string{`3:11: environment "prod" is production and names no approvers`, "5:16: environments[0].approvers: minItems"}},
		{"approvers twice", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: [a]\n    permissions: {approve: [b]}\n", []string{"5:16: environment \"prod\": approvers is short for permissions.approve"}},
		{"forge http", "version: 1\nforge: {kind: github, url: \"http://ghe.example.com/api/v3\", repository: o/r}\n", []string{`2:28: forge.url "http://ghe.example.com/api/v3": plain http only to 127.0.0.1`}},
		{"forge url with credentials", "version: 1\nforge: {kind: gitea, url: \"https://bot:secret@gitea.example.com\", repository: o/r}\n", []string{`2:27: forge.url "https://bot:xxxxx@gitea.example.com": credentials do not belong`}},
		{"gitea without url", "version: 1\nforge: {kind: gitea, repository: o/r}\n", []string{"2:8: forge.url: a gitea forge needs its URL"}},
		{"forge kind", "version: 1\nforge: {kind: bitbucket, repository: o/r}\n", []string{"2:15: forge.kind:"}},
		{"forge token key", "version: 1\nforge: {kind: github, repository: o/r, token: ghp_x}\n", []string{`2:40: forge: unknown key "token"`}},
		{"version file outside", "version: 1\ncomponents: [{name: app, version_files: [../x/package.json]}]\n", []string{`components[0].version_files[0] "../x/package.json": want a file inside the repository`}},
		{"duplicate environment", "version: 1\nenvironments:\n  - name: dev\n  - name: dev\n", []string{`4:11: environment "dev" is defined twice`}},
		{"bad environment name", "version: 1\nenvironments:\n  - name: Prod Env\n", []string{`3:11: environments[0].name: "Prod Env": want lower-case letters`}},
		{"unknown control", "version: 1\nenvironments:\n  - name: dev\n    controls: [REL-NOPE-001]\n", []string{`4:16: environment "dev": unknown control REL-NOPE-001`}},
		{"malformed control", "version: 1\nenvironments:\n  - name: dev\n    controls: [sod]\n", []string{`4:16: environments[0].controls[0]: "sod": want a control ID such as REL-SOD-001`}},
		{"control not in policy", "version: 1\npolicy: {controls: {REL-SOD-001: {}}}\nenvironments:\n  - name: dev\n    controls: [REL-SOD-001, REL-DIGEST-001, REL-ENV-001, REL-WINDOW-001]\n",
			[]string{`5:29: environment "dev": control REL-DIGEST-001 gates it but the policy does not enable it`, `5:58: environment "dev": control REL-WINDOW-001 gates it`}},
		{"bad window", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: [a]\n    windows: [{days: [funday], start: '10:00', end: '12:00'}]\n",
			[]string{`6:14: environment "prod": day "funday"`}},
		{"bad window zone", "version: 1\nenvironments:\n  - name: dev\n    windows: [{days: [mon], start: '10:00', end: '12:00', zone: Mars/Olympus}]\n",
			[]string{`4:14: environment "dev": window zone "Mars/Olympus"`}},
		{"window backwards", "version: 1\nenvironments:\n  - name: dev\n    windows: [{days: [mon], start: '12:00', end: '10:00'}]\n", []string{"end is not after start"}},
		{"bad freeze", "version: 1\nenvironments:\n  - name: dev\n    freezes: [{from: 2027-01-04T00:00:00Z, to: 2026-12-18T00:00:00Z}]\n", []string{`4:14: environment "dev": freeze needs from and a later to`}},
		{"missing key file", "version: 1\ntrust:\n  tags: {allowed_signers: nope}\n", []string{"3:27: trust.tags.allowed_signers nope: no such file"}},
		{"key file is a directory", "version: 1\ntrust:\n  tags: {keyring: sub}\n", []string{"3:19: trust.tags.keyring sub: is a directory, not a regular file"}},
		{"bad allowed_signers", "version: 1\ntrust:\n  manifests: {allowed_signers: " + config.FileName + "}\n", []string{"3:32: trust.manifests.allowed_signers .releasekit.yaml: signature: allowed_signers line 1"}},
		{"bad PEM key", "version: 1\ntrust:\n  provenance: {keys: [allowed_signers]}\n", []string{"3:23: trust.provenance.keys[0] allowed_signers:"}},
		{"signers and keyring", "version: 1\ntrust:\n  tags: {allowed_signers: allowed_signers, keyring: allowed_signers}\n", []string{"3:9: trust.tags: give allowed_signers or keyring, not both", "3:53: trust.tags.keyring allowed_signers:"}},
		{"missing policy file", "version: 1\npolicy: policy.yml\n", []string{"2:9: policy file policy.yml: no such file"}},
		{"bad policy file", "version: 1\npolicy: allowed_signers\n", []string{"2:9: policy file allowed_signers:"}},
		{"inline policy", "version: 1\npolicy:\n  controls:\n    REL-SOD-001: {}\n    REL-BAD-001: {}\n", []string{`5:5: policy: unknown control "REL-BAD-001"`}},
		{"inline policy bad key", "version: 1\npolicy:\n  controls: {REL-SOD-001: {}}\n  advisory: maybe\n", []string{"4:13: policy.advisory: want boolean, got string"}},
		{"inline flow policy", "version: 1\npolicy: {controls: {REL-BRANCH-001: {patterns: ['(']}}}\n", []string{"2:9: policy: pattern \"(\""}},
		{"empty inline policy", "version: 1\npolicy: {controls: {}}\n", []string{"2:9: policy: no controls enabled"}},
		{"people alias twice", "version: 1\npeople:\n  cleo: [c@example.com]\n  dan: [C@example.com]\n", []string{`4:9: people: "C@example.com" is listed for both "cleo" and "dan"`}},
		{"people invisible", "version: 1\npeople:\n  cleo: [\"cleo\\u200b\"]\n", []string{`3:10: people.cleo[0]: identity "cleo\u200b": invisible character (U+200B)`}},
		{"approver control char", "version: 1\nenvironments:\n  - name: prod\n    production: true\n    approvers: [\"a\\x1b\"]\n", []string{"5:17: environments[0].approvers[0]: identity \"a\\x1b\": control character (U+001B)"}},
		{"max lifetime", "version: 1\nexceptions: {max_lifetime: 400d}\n", []string{"2:28: exceptions.max_lifetime 400d: at most 366d"}},
		{"max lifetime unit", "version: 1\nexceptions: {max_lifetime: 2w}\n", []string{`2:28: exceptions.max_lifetime: "2w": want N days (90d), at most 366d`}},
		{"stores both", "version: 1\nstores: {store: a, git_store: b}\n", []string{"2:9: stores: give store or git_store, not both"}},
		{"oci store with a scheme", "version: 1\nstores: {oci_store: \"https://registry.example.com/team/evidence\"}\n", []string{"2:21: stores.oci_store: \"https://registry.example.com/team/evidence\": want an OCI registry repository, host[:port]/repository (no scheme, tag or digest)"}},
		{"stores dir and oci", "version: 1\nstores: {store: a, oci_store: registry.example.com/team/evidence}\n", []string{"2:9: stores: give one of store, git_store and oci_store"}},
		{"component twice", "version: 1\ncomponents: [{name: api}, {name: api}]\n", []string{`2:34: component "api" is defined twice`, `2:27: components "api" and "api" both tag api/vX.Y.Z`}},
		{"component bad version", "version: 1\ncomponents: [{name: api, initial_version: v1}]\n", []string{"2:43: components[0].initial_version:"}},
		{"component bad path", "version: 1\ncomponents: [{name: api, path: ../up}]\n", []string{`2:32: components[0].path "../up": want a directory inside the repository`}},
		{"component missing path", "version: 1\ncomponents: [{name: api, path: api}]\n", []string{`2:32: components[0].path "api": no such directory`}},
		{"component bad pattern", "version: 1\ncomponents: [{name: api, release_branches: ['(']}]\n", []string{"2:45: components[0].release_branches: pattern"}},
		{"component bad channel", "version: 1\ncomponents: [{name: api, channels: [gamma]}]\n", []string{"2:37: components[0].channels[0]:"}},
		{"changelog", "version: 1\nchangelog:\n  ticket_pattern: '['\n  links: {commit: 'https://x/{sha}'}\n  sections: [{type: feat, title: A}, {type: feat, title: B}]\n",
			[]string{"3:19: changelog.ticket_pattern:", "4:19: changelog.links.commit: placeholder {sha}", `5:45: changelog.sections[1]: type "feat" has two sections`}},
		{"identity issuer", "version: 1\nidentity:\n  issuers: [{issuer: 'http://x', audience: a, jwks: nope.json}]\n",
			[]string{`3:22: identity.issuers[0].issuer: "http://x": want an https:// URL`, "3:53: identity.issuers[0].jwks nope.json: no such file"}},
		{"identity issuer without claims", "version: 1\nidentity:\n  issuers: [{issuer: 'https://token.actions.githubusercontent.com', audience: a}]\n",
			[]string{"3:22: identity.issuers[0]: claims is required: name what every token must say (repository, ref or sub), since https://token.actions.githubusercontent.com may also issue tokens to other repositories"}},
		{"identity unknown key", "version: 1\nidentity:\n  issuers: [{issuer: 'https://x', audience: a, subject: s}]\n", []string{`3:48: identity.issuers[0]: unknown key "subject" (want audience, claims, issuer, jwks, name_claim)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.content, "sub/x", "")
			require.Error(t, err)
			require.ErrorIs(t, err, config.ErrInvalid)
			var ce *config.Error
			require.ErrorAs(t, err, &ce)
			msg := err.Error()
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
			for _, line := range strings.Split(msg, "\n") {
				assert.True(t, strings.HasPrefix(line, ce.File+":"), "problem %q does not name the file", line)
			}
		})
	}
}

// TestAllProblems checks that one file with many problems reports them all,
// in the order of the file.
func TestAllProblems(t *testing.T) {
	_, err := parse(t, `version: 1
trust:
  tags:
    allowed_signer: allowed_signers
environments:
  - name: dev
    production: "yes"
  - name: dev
  - name: prod
    production: true
    aprovers: [cleo]
    controls: [REL-NOPE-001]
people:
  cleo: [cleo@example.com]
  cleo: [x]
exceptions: {max_lifetime: 400d}
`)
	var ce *config.Error
	require.ErrorAs(t, err, &ce)
	var got []string
	for _, p := range ce.Problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		`4:5: trust.tags: unknown key "allowed_signer" (want allowed_signers, keyring, keys)`,
		`7:17: environments[0].production: want boolean, got string`,
		`8:11: environment "dev" is defined twice`,
		`9:11: environment "prod" is production and names no approvers: list who may approve there (approvers: [...])`,
		`11:5: environments[2]: unknown key "aprovers" (want approvers, controls, freezes, name, permissions, production, verified_identity, windows)`,
		`12:16: environment "prod": unknown control REL-NOPE-001`,
		`15:3: key "cleo" already defined`,
		`16:28: exceptions.max_lifetime 400d: at most 366d`,
	}, got)
	assert.Equal(t, "/environments/2/aprovers", ce.Problems[4].Path)
}

func TestFull(t *testing.T) {
	cfg, err := parse(t, `version: 1
components:
  - {name: api, path: api, channels: [rc], zero_major: major, initial_version: 1.0.0, release_branches: ['^release/']}
  - {name: web, path: web, tag_prefix: web-v, scheme: calver}
changelog:
  sections: [{type: feat, title: Features}, {type: chore, title: Chores, hidden: true}]
  ticket_pattern: 'JIRA-[0-9]+'
  links: {commit: 'https://x/c/{hash}', compare: 'https://x/compare/{from}...{to}'}
trust:
  tags: {allowed_signers: allowed_signers}
  provenance: {keys: [keys/p.pub]}
environments:
  - name: staging
  - name: prod
    production: true
    permissions: {approve: [cleo], rollback: [dan]}
    controls: [REL-WINDOW-001, REL-SOD-001]
    windows: [{days: [tue, thu], start: "10:00", end: "12:00", zone: Europe/Berlin}]
    freezes: [{from: 2026-12-18T00:00:00+01:00, to: 2027-01-04T00:00:00+01:00, reason: year end}]
policy:
  controls:
    REL-SOD-001: {}
exceptions: {max_lifetime: 30d}
stores: {store: evidence}
identity:
  issuers: [{issuer: "https://token.actions.githubusercontent.com", audience: releasekit, jwks: jwks.json, claims: {repository: acme/shop}}]
`, "api/go.mod", "", "web/index.html", "", "jwks.json", string(tokentest.JWKS(t, tokentest.Ed25519Key("k1", 1))), "keys/p.pub", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEADDLALabGLhSgBgy42E40cVQeU/wV7e2jCVqyDLKbsG0=\n-----END PUBLIC KEY-----\n")
	require.NoError(t, err)
	require.Len(t, cfg.Components, 2)
	assert.Equal(t, config.Component{Name: "api", Path: "api", TagPrefix: "api/v", Scheme: "semver", ZeroMajor: "major", Channels: []string{"rc"}, InitialVersion: "1.0.0", ReleaseBranches: []string{"^release/"}}, cfg.Components[0])
	assert.Equal(t, "web-v", cfg.Components[1].TagPrefix)
	assert.Equal(t, "calver", cfg.Components[1].Scheme)
	assert.Equal(t, "pre-major", cfg.Components[1].ZeroMajor)
	assert.Equal(t, "0.1.0", cfg.Components[1].InitialVersion)
	assert.Equal(t, []config.Section{{Type: "feat", Title: "Features"}, {Type: "chore", Title: "Chores", Hidden: true}}, cfg.Changelog.Sections)
	assert.Equal(t, "JIRA-[0-9]+", cfg.Changelog.TicketPattern)
	assert.Equal(t, "https://x/c/{hash}", cfg.Changelog.Links.Commit)
	prod, _ := cfg.Env("prod")
	assert.Equal(t, []string{"cleo"}, prod.Approvers)
	require.Len(t, prod.Windows, 1)
	assert.Equal(t, "Tue,Thu 10:00-12:00 Europe/Berlin", prod.Windows[0].String())
	require.Len(t, prod.Freezes, 1)
	assert.Equal(t, "year end", prod.Freezes[0].Reason)
	assert.True(t, prod.Freezes[0].From.Equal(time.Date(2026, 12, 17, 23, 0, 0, 0, time.UTC)))
	assert.True(t, cfg.Policy.Inline)
	assert.Equal(t, []string{"REL-SOD-001"}, cfg.Policy.ControlIDs())
	assert.Equal(t, 30*24*time.Hour, cfg.Exceptions.MaxLifetime)
	assert.False(t, cfg.Exceptions.Default)
	assert.True(t, filepath.IsAbs(cfg.Stores.Store))
	require.Len(t, cfg.Identity.Issuers, 1)
	assert.Equal(t, "releasekit", cfg.Identity.Issuers[0].Audience)
	assert.True(t, filepath.IsAbs(cfg.Identity.Issuers[0].JWKS))
	assert.True(t, prod.VerifiedIdentity, "production with issuers: verified identities by default")
	staging, _ := cfg.Env("staging")
	assert.False(t, staging.VerifiedIdentity)
	require.Len(t, cfg.Trust.Provenance.Keys, 1)
	assert.Len(t, cfg.Keys(cfg.Trust.Provenance.Keys[0]), 1)
}

func TestReadFileRegularOnly(t *testing.T) {
	d := t.TempDir()
	_, err := config.ReadFile(d)
	require.ErrorIs(t, err, config.ErrInvalid)
	assert.Contains(t, err.Error(), "is a directory")

	_, err = config.ReadFile(filepath.Join(d, "missing.yaml"))
	require.ErrorIs(t, err, config.ErrInvalid)
	assert.Contains(t, err.Error(), "no such file")

	big := filepath.Join(d, "big.yaml")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("#"), config.MaxFileSize+1), 0o644))
	_, err = config.ReadFile(big)
	require.ErrorIs(t, err, config.ErrInvalid)
	assert.Contains(t, err.Error(), "larger than")

	_, err = config.Parse(bytes.Repeat([]byte("#"), config.MaxFileSize+1), "x.yaml")
	require.ErrorIs(t, err, config.ErrInvalid)

	if runtime.GOOS != "windows" {
		_, err = config.ReadFile("/dev/zero")
		require.ErrorIs(t, err, config.ErrInvalid)
		assert.Contains(t, err.Error(), "is a device")

		fifo := filepath.Join(d, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		_, err = config.ReadFile(fifo) // must not block
		require.ErrorIs(t, err, config.ErrInvalid)
		assert.Contains(t, err.Error(), "is a FIFO")

		// A key file that is a FIFO is refused too.
		cfgFile := filepath.Join(d, config.FileName)
		require.NoError(t, os.WriteFile(cfgFile, []byte("version: 1\ntrust: {tags: {keyring: fifo}}\n"), 0o644))
		_, err = config.ReadFile(cfgFile)
		require.ErrorIs(t, err, config.ErrInvalid)
		assert.Contains(t, err.Error(), "is a FIFO")
	}
}

func TestFind(t *testing.T) {
	repo := dir(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", config.FileName: minimal, "a/b/keep": ""})
	sub := filepath.Join(repo, "a", "b")
	got, err := config.Find(sub)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(repo, config.FileName), got)

	// A configuration in a subdirectory is never the one: only the
	// repository root's governs (a file anyone can add in a subdirectory
	// must not choose the trust roots and approvers).
	require.NoError(t, os.WriteFile(filepath.Join(repo, "a", config.FileName), []byte(minimal), 0o644))
	got, err = config.Find(sub)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(repo, config.FileName), got)

	// Nothing above the repository root is looked at.
	outer := dir(t, map[string]string{config.FileName: minimal, "repo/.git/HEAD": "", "repo/src/keep": ""})
	_, err = config.Find(filepath.Join(outer, "repo", "src"))
	require.ErrorIs(t, err, config.ErrNotFound)

	// Outside a repository only the directory itself is looked at.
	plain := t.TempDir()
	_, err = config.Find(plain)
	if err == nil {
		t.Skip("a configuration file above the temporary directory")
	}
	require.ErrorIs(t, err, config.ErrNotFound)
}

func TestSchema(t *testing.T) {
	s := config.Schema()
	assert.True(t, bytes.Contains(s, []byte(`"additionalProperties": false`)))
	s[0] = 'x'
	assert.NotEqual(t, byte('x'), config.Schema()[0], "Schema returns a copy")
}

func TestErrorText(t *testing.T) {
	e := &config.Error{File: "c.yaml", Problems: []config.Problem{{Line: 2, Column: 3, Msg: "a"}, {Msg: "b"}, {Line: 4, Msg: "c"}}}
	assert.Equal(t, "c.yaml:2:3: a\nc.yaml: b\nc.yaml:4: c", e.Error())
	assert.True(t, errors.Is(e, config.ErrInvalid))
	ae := &config.AuthError{Env: "prod", Action: config.ActionApprove, Identity: "x\n", Reason: "r"}
	assert.Equal(t, `config: "x\n" may not approve in prod: r`, ae.Error())
}

// The forge and the version files a release PR edits come from the
// configuration; the token never does.
func TestForgeAndVersionFiles(t *testing.T) {
	cfg, err := config.Parse([]byte(`version: 1
forge: {kind: gitea, url: "http://127.0.0.1:3000", repository: shop/app, base: dev}
components:
  - name: app
    version_files: [composer.json, ./web/package.json]
    changelog_file: CHANGELOG.md
`), filepath.Join(t.TempDir(), config.FileName))
	require.NoError(t, err)
	assert.Equal(t, config.Forge{Kind: "gitea", URL: "http://127.0.0.1:3000", Repository: "shop/app", Base: "dev"}, cfg.Forge)
	assert.Equal(t, []string{"composer.json", "web/package.json"}, cfg.Components[0].VersionFiles)
	assert.Equal(t, "CHANGELOG.md", cfg.Components[0].ChangelogFile)

	cfg, err = config.Parse([]byte("version: 1\nforge: {kind: github, repository: o/r}\n"), filepath.Join(t.TempDir(), config.FileName))
	require.NoError(t, err)
	assert.Equal(t, config.Forge{Kind: "github", URL: "https://api.github.com", Repository: "o/r", Base: "main"}, cfg.Forge)
}
