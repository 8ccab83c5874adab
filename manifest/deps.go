package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// A DependencyError is a coordinated release whose order breaks the
// dependencies its manifest declares ([Repo].DependsOn, §1.18.3.4: a
// library is released before the services that depend on it). Reason is
// one of:
//   - "unknown dependency": Repo depends on DependsOn, which the manifest
//     does not pin;
//   - "dependency cycle": Cycle lists repositories that depend on each
//     other in a circle, so no order can release libraries first;
//   - "dependent before its library": the order releases Repo before
//     DependsOn, a repository it depends on;
//   - "duplicate repo": the manifest pins Repo twice, so which of its
//     dependencies hold is ambiguous;
//   - "not in the order": Repo is pinned by the manifest but the order
//     does not release it ("released twice": it releases it twice; "not
//     in the manifest": it releases a repository the manifest does not
//     pin).
type DependencyError struct {
	Reason    string
	Repo      string
	DependsOn string
	Cycle     []string
}

// Error reads "manifest: " and the reason with the repositories.
func (e *DependencyError) Error() string {
	switch {
	case len(e.Cycle) > 0:
		return fmt.Sprintf("manifest: %s: %s", e.Reason, strings.Join(e.Cycle, " -> "))
	case e.DependsOn != "":
		return fmt.Sprintf("manifest: %s: %s depends on %s", e.Reason, e.Repo, e.DependsOn)
	}
	return fmt.Sprintf("manifest: %s: %s", e.Reason, e.Repo)
}

// ReleaseOrder returns an order in which the repositories of m can be
// released with every library before its dependents ([Repo].DependsOn): a
// topological order, ties broken by name, so the result depends only on
// m. A repository pinned twice, a dependency on a repository m does not
// pin, or a cycle, is a *[DependencyError].
func ReleaseOrder(m Manifest) ([]string, error) {
	m = m.normalize()
	pinned := map[string]Repo{}
	for _, r := range m.Repos {
		if _, twice := pinned[r.Name]; twice {
			return nil, &DependencyError{Reason: "duplicate repo", Repo: r.Name}
		}
		pinned[r.Name] = r
	}
	for _, r := range m.Repos {
		for _, d := range r.DependsOn {
			if _, ok := pinned[d]; !ok {
				return nil, &DependencyError{Reason: "unknown dependency", Repo: r.Name, DependsOn: d}
			}
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var order, path []string
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case done:
			return nil
		case visiting:
			i := slices.Index(path, name)
			return &DependencyError{Reason: "dependency cycle", Repo: name, Cycle: append(slices.Clone(path[i:]), name)}
		}
		state[name] = visiting
		path = append(path, name)
		for _, d := range pinned[name].DependsOn {
			if err := visit(d); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[name] = done
		order = append(order, name)
		return nil
	}
	for _, r := range m.Repos { // sorted by name
		if err := visit(r.Name); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// CheckDependencyOrder checks that order, the repositories of m in the
// order they are (or were) released or promoted, puts every library
// before the repositories that depend on it (§1.18.3.4), and releases
// each repository of m exactly once. It returns nil or a
// *[DependencyError]: a duplicate repo, an unknown dependency or a cycle
// (as [ReleaseOrder]), "not in the order", "released twice", "not in the
// manifest", or "dependent
// before its library" naming the first dependent found before its
// library. A manifest that declares no dependency accepts any order of
// its repositories.
func CheckDependencyOrder(m Manifest, order []string) error {
	if _, err := ReleaseOrder(m); err != nil {
		return err
	}
	pos := map[string]int{}
	for i, name := range order {
		if _, twice := pos[name]; twice {
			return &DependencyError{Reason: "released twice", Repo: name}
		}
		pos[name] = i
	}
	for _, r := range m.Repos {
		if _, ok := pos[r.Name]; !ok {
			return &DependencyError{Reason: "not in the order", Repo: r.Name}
		}
	}
	for _, name := range order {
		i := slices.IndexFunc(m.Repos, func(r Repo) bool { return r.Name == name })
		if i < 0 {
			return &DependencyError{Reason: "not in the manifest", Repo: name}
		}
		for _, d := range m.Repos[i].DependsOn {
			if pos[d] > pos[name] {
				return &DependencyError{Reason: "dependent before its library", Repo: name, DependsOn: d}
			}
		}
	}
	return nil
}
