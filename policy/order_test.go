package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

func TestDependencyOrder(t *testing.T) {
	repo := func(name string, deps ...string) manifest.Repo {
		return manifest.Repo{Name: name, Tag: "v1.0.0", Commit: strings.Repeat("a", 40), DependsOn: deps}
	}
	chain := &manifest.Manifest{Name: "2026.02", Repos: []manifest.Repo{repo("lib"), repo("svc", "lib"), repo("web", "svc")}}
	cycle := &manifest.Manifest{Name: "2026.03", Repos: []manifest.Repo{repo("lib", "svc"), repo("svc", "lib")}}
	plain := &manifest.Manifest{Name: "2026.04", Repos: []manifest.Repo{repo("lib"), repo("svc")}}
	duplicate := &manifest.Manifest{Name: "2026.05", Repos: []manifest.Repo{repo("svc"), repo("svc", "lib"), repo("lib")}} // not parsed: built in code
	tests := []struct {
		name    string
		facts   policy.Facts
		want    policy.Status
		missing bool
		reason  string
	}{
		{"libraries first", policy.Facts{Manifest: chain, ReleaseOrder: []string{"lib", "svc", "web"}}, policy.Pass, false, "every library released before its dependents"},
		{"dependent first", policy.Facts{Manifest: chain, ReleaseOrder: []string{"svc", "lib", "web"}}, policy.Fail, false, "svc was released before lib"},
		{"cycle", policy.Facts{Manifest: cycle, ReleaseOrder: []string{"lib", "svc"}}, policy.Fail, false, "dependency cycle"},
		{"duplicate repository hides a dependency", policy.Facts{Manifest: duplicate, ReleaseOrder: []string{"svc", "lib"}}, policy.Fail, false, "duplicate repo: svc"},
		{"repository missing from the order", policy.Facts{Manifest: chain, ReleaseOrder: []string{"lib", "svc"}}, policy.Fail, false, "not in the order"},
		{"no order", policy.Facts{Manifest: chain}, policy.Fail, true, "missing evidence"},
		{"no manifest", policy.Facts{ReleaseOrder: []string{"lib"}}, policy.NotApplicable, false, "no manifest"},
		{"no dependency declared", policy.Facts{Manifest: plain}, policy.NotApplicable, false, "declares no dependency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := policy.DependencyOrder{}.Evaluate(t.Context(), tc.facts)
			assert.Equal(t, tc.want, res.Status, res.Reason)
			assert.Equal(t, tc.missing, errors.Is(res.Err, policy.ErrMissingEvidence))
			assert.Contains(t, res.Reason, tc.reason)
		})
	}
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-ORDER-001: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.DependencyOrder{}}, p.Controls)
	_, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-ORDER-001:\n    order: [lib]\n"))
	var ce *policy.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 3, ce.Line)
}
