package policy

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// An Environment says who may act on one environment: the signing
// Identities and key fingerprints (Keys) accepted there, and who may
// approve its deployments (Approvers).
type Environment struct {
	Identities []string `yaml:"identities" json:"identities"`
	Keys       []string `yaml:"keys" json:"keys"`
	Approvers  []string `yaml:"approvers" json:"approvers"`
}

// EnvironmentSeparation (REL-ENV-001) requires production credentials to be
// separate from those of lower environments (no identity or key allowed
// for "production" is allowed for another environment), production to
// name its approvers, and, for a deployment in Facts.Deployment, every
// deployment approver to be one that environment allows and a verified
// release tag (Facts.Tag) to be signed by a key of that environment when it
// lists keys. An empty Environments, or one without "production", fails.
// Identities and approvers are compared with Facts.People (package
// identity: Same and Contains, strict); one that does not normalise fails
// the control.
type EnvironmentSeparation struct {
	Environments map[string]Environment
}

// Meta describes the control.
func (EnvironmentSeparation) Meta() Meta {
	return Meta{ID: "REL-ENV-001", Title: "Production identities, keys and approvers are separate from lower environments", Section: "§1.21.3.2", Criteria: []string{"CC6.1", "CC6.3"}, Severity: High}
}

// Evaluate checks the configuration and f.Deployment.
func (c EnvironmentSeparation) Evaluate(_ context.Context, f Facts) Result {
	prod, ok := c.Environments["production"]
	if !ok {
		return fail("no production environment is configured; list the identities, keys and approvers allowed for production")
	}
	if len(prod.Approvers) == 0 {
		return fail("production names no approvers; list who may approve production deployments")
	}
	names := make([]string, 0, len(c.Environments))
	for n := range c.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	people := f.People()
	var bad, ev []Evidence
	for _, n := range names {
		if n == "production" {
			continue
		}
		env := c.Environments[n]
		for _, id := range prod.Identities {
			shared, err := people.Contains(env.Identities, id)
			if err != nil {
				return invalidIdentity("the "+n+" or production identity", err)
			}
			if shared {
				bad = append(bad, Evidence{Kind: "field", Value: id, Note: "identity allowed in production and " + n})
			}
		}
		for _, k := range prod.Keys {
			if containsFold(env.Keys, k) {
				bad = append(bad, Evidence{Kind: "field", Value: k, Note: "key allowed in production and " + n})
			}
		}
	}
	if d := f.Deployment; d != nil {
		env, ok := c.Environments[d.Environment]
		if !ok {
			bad = append(bad, Evidence{Kind: "field", Value: d.Environment, Note: "environment not configured"})
		} else {
			if len(d.Approvers) == 0 && d.Environment == "production" {
				bad = append(bad, Evidence{Kind: "field", Value: d.Environment, Note: "deployment without approver"})
			}
			for _, a := range d.Approvers {
				e := Evidence{Kind: "field", Value: a, Note: "may approve " + d.Environment}
				listed, err := people.Contains(env.Approvers, a)
				if err != nil {
					return invalidIdentity("the "+d.Environment+" approver", err, append(ev, e)...)
				}
				if !listed {
					e.Note = "may not approve " + d.Environment
					bad = append(bad, e)
				}
				ev = append(ev, e)
			}
			if t := f.Tag; t != nil && t.Verification != nil && len(env.Keys) > 0 {
				fp := t.Verification.Signer.Fingerprint
				e := Evidence{Kind: "tag", Value: t.Name, Note: "signed with " + d.Environment + " key " + fp}
				if !containsFold(env.Keys, fp) {
					e.Note = "signed with " + fp + ", not a " + d.Environment + " key"
					bad = append(bad, e)
				}
				ev = append(ev, e)
			}
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("environments are not separated: %s; give production its own identities, keys and approvers", notes(bad)), append(ev, bad...)...)
	}
	return pass(fmt.Sprintf("production credentials are separate from %s", strings.Join(slices.DeleteFunc(names, func(n string) bool { return n == "production" }), ", ")), ev...)
}

// containsFold reports whether s is one of list up to case (key
// fingerprints; identities are compared through package identity).
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return x != "" && strings.EqualFold(x, s) })
}
