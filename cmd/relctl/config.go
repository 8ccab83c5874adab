package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/config"
)

// This file holds the release configuration glue every command shares
// (--config, loadConfig) and `relctl config validate|explain`.

// addConfigFlag adds --config FILE, the release configuration that
// overrides the .releasekit.yaml found in the repository.
func addConfigFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "release configuration `FILE` (default: "+config.FileName+" in the repository, found from the directory up to its root)")
}

// loadConfig returns the release configuration: the file flagValue names
// when it is not empty, else the one config.Find finds from dir (the
// working directory when dir is empty), else nil and no error. A file that
// cannot be read or is invalid is a usage error (exit 2) listing every
// problem.
func loadConfig(flagValue, dir string) (*config.Config, error) {
	path := flagValue
	if path == "" {
		if dir == "" {
			dir = "."
		}
		found, err := config.Find(dir)
		if errors.Is(err, config.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, usageError{err}
		}
		path = found
	}
	cfg, err := config.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

// requireConfig is loadConfig for the config commands: no configuration is
// a usage error that says how to make one.
func requireConfig(flagValue string) (*config.Config, error) {
	cfg, err := loadConfig(flagValue, "")
	if err != nil || cfg != nil {
		return cfg, err
	}
	return nil, usagef("no %s here or in the parent directories up to the repository root: create one (see relctl config --help) or give --config FILE", config.FileName)
}

const configUsage = `Usage:
  relctl config validate [--config FILE]
  relctl config explain  [--config FILE] [--env ENV] [--format text|markdown|json]

validate checks the release configuration (` + config.FileName + ` in the
repository, or --config FILE) against its JSON Schema (config/schema.json)
and its rules, and prints "valid: FILE" (exit 0), or lists every problem as
FILE:LINE:COL: message on stderr (exit 2).

explain prints the documented access policy an auditor files: for each
environment in promotion order (or only --env ENV) whether it is production,
who may deploy, approve, roll back and configure there, the controls that
gate it and its change windows and freezes; the trusted keys with their
fingerprints, the people, the policy, the exception lifetime and the store.

The minimal configuration:

  version: 1
  trust:
    tags:
      allowed_signers: allowed_signers   # path relative to the file; or keyring: FILE
  environments:
    - name: dev
    - name: staging
    - name: prod
      production: true
      approvers: [cleo@example.com]

Exit codes: 0 ok, 2 no or an invalid configuration, or bad usage.
`

func cmdConfig(_ context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, err := subcommand(args, "validate", "explain")
	if err != nil {
		var sh subcommandHelp
		if errors.As(err, &sh) {
			fmt.Fprint(stdout, configUsage)
			return nil
		}
		fmt.Fprint(stderr, configUsage)
		return err
	}
	fs := newFlags("config "+sub, stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, configUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	file := addConfigFlag(fs)
	var env, format *string
	if sub == "explain" {
		env = fs.String("env", "", "only the environment `ENV`")
		format = fs.String("format", "text", "output `FORMAT`: text, markdown or json")
	}
	if err := parseFlags(fs, rest); err != nil {
		return helpOK(err)
	}
	if sub == "explain" {
		switch *format {
		case "text", "markdown", "json":
		default:
			return usagef("--format %q: want text, markdown or json", *format)
		}
	}
	cfg, err := requireConfig(*file)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			fmt.Fprintln(stderr, ce.Error())
			return usageError{errSilent}
		}
		return err
	}
	if sub == "validate" {
		fmt.Fprintln(stdout, "valid:", cfg.File)
		return nil
	}
	if err := cfg.Explain(stdout, *env, *format); err != nil {
		if errors.Is(err, config.ErrUnknownEnvironment) {
			return usageError{err}
		}
		return err
	}
	return nil
}
