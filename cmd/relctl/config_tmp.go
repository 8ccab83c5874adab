package main

// TEMPORARY stand-in until the config command lands.

import (
	"errors"
	"flag"

	"github.com/releasekit/releasekit/config"
)

func addConfigFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "the release configuration `FILE` (default: .releasekit.yaml at the repository root)")
}

func loadConfig(flagValue, dir string) (*config.Config, error) {
	path := flagValue
	if path == "" {
		p, err := config.Find(dir)
		if errors.Is(err, config.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, usageError{err}
		}
		path = p
	}
	c, err := config.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}
