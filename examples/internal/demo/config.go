package demo

import (
	"fmt"
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
	// AllowedSigners is the allowed_signers file, relative to the
	// configuration, whose keys may sign release tags (default
	// allowed_signers, the file [SetupSigning] writes).
	AllowedSigners string
	// Manifests also trusts AllowedSigners for signed multi-repo
	// manifests.
	Manifests bool
}

// WriteConfig writes team's release configuration to dir/.releasekit.yaml
// (config.FileName) and reads it back with config.ReadFile, as every step
// of a pipeline would: the configuration a promotion decides under is the
// one on disk. Use the result as the promotions' order and authorizer:
//
//	manifest.WithOrder(cfg.Order()...), manifest.WithAuthorizer(cfg)
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
			fmt.Fprintf(&b, "    permissions:\n      deploy: [%s]\n      rollback: [%s]\n", team.Releaser, team.Releaser)
		}
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
	return strings.Join(parts, "; ")
}

// list joins ids, or says "anyone" for none.
func list(ids []string) string {
	if len(ids) == 0 {
		return "anyone"
	}
	return strings.Join(ids, ", ")
}
