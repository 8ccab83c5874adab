package demo

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/config"
)

// A Team is who may do what in an example's environments: what its release
// configuration says. The last environment of Order is production.
type Team struct {
	// Order is the environments in promotion order (default dev, staging,
	// prod).
	Order []string
	// Approvers may approve production: e-mail addresses ([Email]).
	Approvers []string
	// Releaser is the pipeline's identity ([Email]): it deploys to and
	// rolls back production.
	Releaser string
	// Deployers may also deploy to production besides Releaser: the
	// identities of deploy agents that report the deployments they make.
	Deployers []string
	// AllowedSigners is the allowed_signers file, relative to the
	// configuration, whose keys may sign release tags (default
	// allowed_signers, the file [SetupSigning] writes).
	AllowedSigners string
	// Manifests also trusts AllowedSigners for signed multi-repo
	// manifests.
	Manifests bool
	// CI, when set, is the CI system whose OIDC ID tokens say who acts:
	// the configuration trusts its issuer for the tokens of Repository's
	// jobs (claims: repository), with its keys pinned in ci-jwks.json
	// beside the configuration, and names the actor by the token's actor
	// claim. Production then requires a verified identity (the default of
	// verified_identity once identity.issuers is set).
	CI *CI
	// Repository is the only repository whose CI tokens are trusted;
	// required with CI.
	Repository string
}

// JWKSFile is the file, beside the configuration, in which [WriteConfig]
// pins the keys of a [Team]'s CI.
const JWKSFile = "ci-jwks.json"

// WriteConfig writes team's release configuration to dir/.releasekit.yaml
// (config.FileName) and reads it back with config.ReadFile, as every step
// of a pipeline would: the configuration a promotion decides under is the
// one on disk. Use the result as the promotions' order and authorizer:
//
//	manifest.WithOrder(cfg.Order()...), manifest.WithAuthorizer(cfg)
//
// With team.CI it also writes the CI's keys to dir/ci-jwks.json
// ([JWKSFile]), and the promotions need manifest.WithVerifiedIdentity(
// cfg.VerifiedIdentityEnvs()...) and an Actor from cfg.VerifyToken.
//
// An error of the file itself is a *config.Error (config.ErrInvalid).
func WriteConfig(dir string, team Team) (*config.Config, error) {
	order := team.Order
	if len(order) == 0 {
		order = []string{"dev", "staging", "prod"}
	}
	signers := team.AllowedSigners
	if signers == "" {
		signers = "allowed_signers"
	}
	var b strings.Builder
	b.WriteString("# The release configuration every step of the pipeline reads.\nversion: 1\ntrust:\n")
	fmt.Fprintf(&b, "  tags:\n    allowed_signers: %s\n", signers)
	if team.Manifests {
		fmt.Fprintf(&b, "  manifests:\n    allowed_signers: %s\n", signers)
	}
	b.WriteString("environments:\n")
	for i, env := range order {
		fmt.Fprintf(&b, "  - name: %s\n", env)
		if i == len(order)-1 {
			fmt.Fprintf(&b, "    production: true\n    approvers: [%s]\n", strings.Join(team.Approvers, ", "))
			fmt.Fprintf(&b, "    permissions:\n      deploy: [%s]\n      rollback: [%s]\n", strings.Join(append([]string{team.Releaser}, team.Deployers...), ", "), team.Releaser)
		}
	}
	if team.CI != nil {
		if team.Repository == "" {
			return nil, errors.New("demo: a team's CI needs the repository its tokens are trusted for")
		}
		jwks, err := team.CI.JWKS()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, JWKSFile), jwks, 0o644); err != nil {
			return nil, err
		}
		b.WriteString("# Who acts: the identity in the CI job's OIDC ID token, verified against\n# the issuer's pinned keys, from this repository's jobs only.\n")
		fmt.Fprintf(&b, "identity:\n  issuers:\n    - issuer: %s\n      audience: %s\n      jwks: %s\n", team.CI.Issuer, CIAudience, JWKSFile)
		fmt.Fprintf(&b, "      name_claim: actor\n      claims:\n        repository: %s\n", team.Repository)
	}
	path := filepath.Join(dir, config.FileName)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	return config.ReadFile(path)
}

// DescribeConfig sums cfg up in one line for a step: the promotion order,
// who approves, deploys to and rolls back each production environment, and
// the files that hold the keys trusted for release tags and manifests.
func DescribeConfig(cfg *config.Config) string {
	parts := []string{strings.Join(cfg.Order(), " → ")}
	for _, e := range cfg.Environments {
		if !e.Production {
			continue
		}
		approve, _ := e.Allowed(config.ActionApprove)
		deploy, _ := e.Allowed(config.ActionDeploy)
		rollback, _ := e.Allowed(config.ActionRollback)
		who := "deployed by " + list(deploy) + ", rolled back by " + list(rollback)
		if slices.Equal(deploy, rollback) {
			who = "deployed and rolled back by " + list(deploy)
		}
		parts = append(parts, fmt.Sprintf("%s approved by %s, %s", e.Name, list(approve), who))
	}
	tags, manifests := cfg.Trust.Tags.AllowedSigners, cfg.Trust.Manifests.AllowedSigners
	switch {
	case tags == "":
		parts = append(parts, "no key trusted for release tags")
	case tags == manifests:
		parts = append(parts, "release tags and manifests trusted from "+filepath.Base(tags))
	default:
		parts = append(parts, "release tags trusted from "+filepath.Base(tags))
	}
	if manifests != "" && manifests != tags {
		parts = append(parts, "manifests trusted from "+filepath.Base(manifests))
	}
	for _, is := range cfg.Identity.Issuers {
		var want []string
		for _, claim := range slices.Sorted(maps.Keys(is.Claims)) {
			want = append(want, claim+" "+strings.Join(is.Claims[claim], " or "))
		}
		parts = append(parts, fmt.Sprintf("who acts verified from ID tokens of %s (%s)", is.Issuer, strings.Join(want, ", ")))
	}
	if envs := cfg.VerifiedIdentityEnvs(); len(envs) > 0 {
		parts = append(parts, "a verified identity required in "+strings.Join(envs, ", "))
	}
	return strings.Join(parts, "; ")
}

// list joins ids, or says "anyone" for none.
func list(ids []string) string {
	if len(ids) == 0 {
		return "anyone"
	}
	return strings.Join(ids, ", ")
}
