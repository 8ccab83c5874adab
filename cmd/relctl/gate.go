package main

import (
	"bytes"
	"flag"
	"fmt"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// gateFlags are the flags of promote and rollback that put a policy gate
// in front of the promotion.
type gateFlags struct {
	config, pr, releaser, production *string
}

func addGateFlags(fs *flag.FlagSet) gateFlags {
	return gateFlags{
		config:     fs.String("policy", "", "decide the promotion with the release policy in `FILE` (YAML or JSON, as relctl policy --config); its JSON report is kept in the store and its digest in the log entry"),
		pr:         fs.String("pr", "", "with --policy, the pull request `FILE` (policy's JSON form) the release came from: separation of duties checks its author and reviewers"),
		releaser:   fs.String("releaser", "", "with --policy, the identity `ID` that started this promotion (separation of duties)"),
		production: fs.String("production", "", "with --policy, the `ENV` the controls treat as production (default prod)"),
	}
}

// options returns the options of a promotion or rollback: the promotion
// order (--order) and, with --policy, the gate.
func (g gateFlags) options(order string) ([]manifest.Option, error) {
	ord, err := orderOption(order)
	if err != nil {
		return nil, err
	}
	gate, err := g.option()
	if err != nil {
		return nil, err
	}
	if gate == nil {
		return []manifest.Option{ord}, nil
	}
	return []manifest.Option{ord, gate}, nil
}

// option returns the manifest option installing the gate, or nil without
// --policy.
func (g gateFlags) option() (manifest.Option, error) {
	if *g.config == "" {
		if *g.pr != "" || *g.releaser != "" || *g.production != "" {
			return nil, usagef("--pr, --releaser and --production need --policy")
		}
		return nil, nil
	}
	b, err := readTagInput(*g.config)
	if err != nil {
		return nil, err
	}
	p, err := policy.ReadConfig(bytes.NewReader(b))
	if err != nil {
		return nil, usageError{fmt.Errorf("--policy %s: %w", *g.config, err)}
	}
	var f policy.Facts
	if *g.pr != "" {
		b, err := readTagInput(*g.pr)
		if err != nil {
			return nil, err
		}
		pr, err := policy.ReadPullRequest(bytes.NewReader(b))
		if err != nil {
			return nil, usageError{fmt.Errorf("--pr %s: %w", *g.pr, err)}
		}
		f.PullRequest = pr
	}
	if *g.releaser != "" {
		f.Deployment = &policy.Deployment{Releaser: *g.releaser}
	}
	return manifest.WithGate(policy.Gate{Policy: p, Facts: f, Production: *g.production}), nil
}
