package demohistory

import (
	"fmt"
	"slices"

	"github.com/releasekit/releasekit/manifest"
)

// team says who may do what in the history's environments: the release
// bot deploys and rolls back, carol approves, and dana approves the
// emergency change. It is the manifest.Authorizer of every promotion.
type team struct{}

// Authorize allows the identities above.
func (team) Authorize(env string, a manifest.Action, who string) error {
	allowed := map[manifest.Action][]string{
		manifest.ActionDeploy:   {Releaser},
		manifest.ActionRollback: {Releaser},
		manifest.ActionApprove:  {Approver, IncidentCommander},
	}[a]
	if !slices.Contains(allowed, who) {
		return fmt.Errorf("demohistory: %q may not %s in %s", who, a, env)
	}
	return nil
}
