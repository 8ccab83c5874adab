package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/releasekit/releasekit/policy"
)

// Duplicate JSON keys (exactly or by case, which encoding/json folds) are
// rejected, not resolved silently in favour of the last one.
func TestJSONDuplicateKeys(t *testing.T) {
	for _, doc := range []string{
		`{"author": "alice", "approvers": ["bob"], "author": "mallory"}`,
		`{"author": "alice", "approvers": ["bob"], "Author": "bob"}`,
		`{"author": "alice", "approvers": ["bob"], "checks": {"ci": "failure", "ci": "success"}}`,
	} {
		_, err := policy.ReadPullRequest(strings.NewReader(doc))
		assert.Error(t, err, doc)
	}
	_, err := policy.ReadPullRequest(strings.NewReader(`{"author": "alice", "approvers": ["bob"], "checks": {"ci": "success", "CI": "success"}}`))
	assert.NoError(t, err, "distinct map keys that differ in case are distinct checks")
	d := "sha256:" + strings.Repeat("a", 64)
	_, err = policy.ReadPromotionRequest(strings.NewReader(`{"release": "v1.0.0", "env": "prod", "digest": "` + d + `", "env": "dev"}`))
	assert.Error(t, err)
	_, err = policy.ReadPromotionRequest(strings.NewReader(`{"release": "v1.0.0", "env": "prod", "digest": "` + d + `"}`))
	assert.NoError(t, err)
}
