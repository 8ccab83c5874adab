package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/releasekit/releasekit/manifest"
)

// DependencyOrder (REL-ORDER-001) requires the repositories of a
// coordinated release (Facts.Manifest) to be released libraries first
// (§1.18.3.4: a shared library's release occurs before the releases of
// the services that depend on it). The dependencies are the manifest's
// (manifest.Repo.DependsOn); the order is Facts.ReleaseOrder, the
// manifest's repositories in the order their releases were made (for
// example by tag date) or are to be promoted. It fails on a dependent
// released before its library, a dependency cycle, an unknown dependency
// or a repository the manifest pins twice (manifest.CheckDependencyOrder;
// a manifest built without manifest.ParseManifest may hold one), and with
// [ErrMissingEvidence] when the manifest declares dependencies and no
// order is given. Without a manifest, or with one that declares no
// dependency, the control is not applicable.
type DependencyOrder struct{}

// Meta describes the control.
func (DependencyOrder) Meta() Meta {
	return Meta{ID: "REL-ORDER-001", Title: "Libraries are released before their dependents in a coordinated release", Section: "§1.18.3.4", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.ReleaseOrder against f.Manifest.
func (DependencyOrder) Evaluate(_ context.Context, f Facts) Result {
	m := f.Manifest
	if m == nil {
		return na("no coordinated release (no manifest)")
	}
	var deps []Evidence
	for _, r := range m.Repos {
		for _, d := range r.DependsOn {
			deps = append(deps, Evidence{Kind: "dependency", Value: r.Name, Note: "depends on " + d})
		}
	}
	if len(deps) == 0 {
		return na("manifest " + m.Name + " declares no dependency between its repositories")
	}
	if _, err := manifest.ReleaseOrder(*m); err != nil {
		return fail(fmt.Sprintf("manifest %s: %v; fix the manifest's repos and depends_on", m.Name, err), deps...)
	}
	if f.ReleaseOrder == nil {
		return missing("the order in which the repositories of manifest " + m.Name + " were released")
	}
	order := Evidence{Kind: "order", Value: strings.Join(f.ReleaseOrder, ", ")}
	if err := manifest.CheckDependencyOrder(*m, f.ReleaseOrder); err != nil {
		var de *manifest.DependencyError
		if errors.As(err, &de) && de.Reason == "dependent before its library" {
			return fail(fmt.Sprintf("manifest %s: %s was released before %s, a library it depends on; release %s first (then %s again)", m.Name, de.Repo, de.DependsOn, de.DependsOn, de.Repo),
				append([]Evidence{order}, deps...)...)
		}
		return fail(fmt.Sprintf("manifest %s: %v", m.Name, err), append([]Evidence{order}, deps...)...)
	}
	return pass(fmt.Sprintf("manifest %s: every library released before its dependents", m.Name), append([]Evidence{order}, deps...)...)
}
