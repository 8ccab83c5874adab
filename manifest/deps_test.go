package manifest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// coordinated is a manifest of a library, a service using it and a web
// front end using the service.
func coordinated(deps map[string][]string) manifest.Manifest {
	m := manifest.Manifest{Name: "2026.02"}
	for _, name := range []string{"web", "lib", "svc"} {
		m.Repos = append(m.Repos, manifest.Repo{Name: name, Tag: "v1.0.0", Commit: "0123456789012345678901234567890123456789", DependsOn: deps[name]})
	}
	return m
}

func TestCheckDependencyOrder(t *testing.T) {
	chain := coordinated(map[string][]string{"svc": {"lib"}, "web": {"svc", "lib"}})
	order, err := manifest.ReleaseOrder(chain)
	require.NoError(t, err)
	assert.Equal(t, []string{"lib", "svc", "web"}, order, "libraries first, deterministic")
	require.NoError(t, manifest.CheckDependencyOrder(chain, order))

	tests := []struct {
		name   string
		m      manifest.Manifest
		order  []string
		reason string
		repo   string
		dep    string
	}{
		{"dependent first", chain, []string{"svc", "lib", "web"}, "dependent before its library", "svc", "lib"},
		{"web before svc", chain, []string{"lib", "web", "svc"}, "dependent before its library", "web", "svc"},
		{"cycle", coordinated(map[string][]string{"svc": {"lib"}, "lib": {"web"}, "web": {"svc"}}), []string{"lib", "svc", "web"}, "dependency cycle", "lib", ""},
		{"self", coordinated(map[string][]string{"lib": {"lib"}}), []string{"lib", "svc", "web"}, "dependency cycle", "lib", ""},
		{"unknown dependency", coordinated(map[string][]string{"svc": {"db"}}), []string{"lib", "svc", "web"}, "unknown dependency", "svc", "db"},
		{"missing from the order", chain, []string{"lib", "svc"}, "not in the order", "web", ""},
		{"twice", chain, []string{"lib", "svc", "lib", "web"}, "released twice", "lib", ""},
		{"stranger", chain, []string{"lib", "svc", "web", "db"}, "not in the manifest", "db", ""},
		{"duplicate repo hides a dependency", manifest.Manifest{Name: "train", Repos: []manifest.Repo{{Name: "svc"}, {Name: "svc", DependsOn: []string{"lib"}}, {Name: "lib"}}},
			[]string{"svc", "lib"}, "duplicate repo", "svc", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := manifest.CheckDependencyOrder(tc.m, tc.order)
			var de *manifest.DependencyError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.reason, de.Reason)
			assert.Equal(t, tc.repo, de.Repo)
			assert.Equal(t, tc.dep, de.DependsOn)
		})
	}
	require.NoError(t, manifest.CheckDependencyOrder(coordinated(nil), []string{"web", "svc", "lib"}), "no dependency declared: any order")
}

// DependsOn is left out of the canonical JSON when empty: the digests of
// manifests written before it existed do not change; it is sorted when
// given, so equal content has one digest.
func TestDependsOnCanonical(t *testing.T) {
	plain := coordinated(nil)
	empty := coordinated(map[string][]string{"svc": {}})
	a, err := manifest.Marshal(plain)
	require.NoError(t, err)
	b, err := manifest.Marshal(empty)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.NotContains(t, string(a), "depends_on")

	x, err := manifest.Marshal(coordinated(map[string][]string{"web": {"svc", "lib", "svc"}}))
	require.NoError(t, err)
	y, err := manifest.Marshal(coordinated(map[string][]string{"web": {"lib", "svc"}}))
	require.NoError(t, err)
	assert.Equal(t, x, y)
	m, err := manifest.ParseManifest(x)
	require.NoError(t, err)
	assert.Equal(t, []string{"lib", "svc"}, m.Repos[2].DependsOn)
}
