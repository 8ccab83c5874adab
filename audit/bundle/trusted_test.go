package bundle_test

import "github.com/releasekit/releasekit/internal/testkit/trusttest"

// These tests are about what this package decides, not about the release
// tag or who may deploy, which production promotions check (manifest's
// own tests cover those): their promotions trust every tag and identity.
var (
	promote          = trusttest.Promote
	rollback         = trusttest.Rollback
	promoteManifest  = trusttest.PromoteManifest
	rollbackManifest = trusttest.RollbackManifest
)
