package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/releasekit/releasekit/config"
)

// exampleDir writes a configuration and the allowed_signers file it names
// into a temporary directory and returns the configuration's path.
func exampleDir(content string) (string, func()) {
	d, err := os.MkdirTemp("", "config-example")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(d, "allowed_signers"), []byte(signersLine), 0o644); err != nil {
		panic(err)
	}
	path := filepath.Join(d, config.FileName)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		panic(err)
	}
	return path, func() { os.RemoveAll(d) }
}

// The minimal configuration: three environments, production approved by
// one identity, release tags trusted by an allowed_signers file.
func ExampleReadFile() {
	path, cleanup := exampleDir(`version: 1
trust:
  tags:
    allowed_signers: allowed_signers
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [cleo@example.com]
`)
	defer cleanup()
	cfg, err := config.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Order())
	fmt.Println(filepath.Base(cfg.Trust.Tags.AllowedSigners), cfg.Keys(cfg.Trust.Tags.AllowedSigners)[0].Fingerprint)
	// Output:
	// [dev staging prod]
	// allowed_signers SHA256:PP+vzxLMmi/OrlP8NDcyYs4rFQwLuDC7tPWF+PDmERo
}

// Every problem of a file is reported at once, with its line and column.
func ExampleParse_problems() {
	_, err := config.Parse([]byte(`version: 1
environments:
  - name: dev
    aprovers: [cleo]
  - name: prod
    production: yes please
  - name: prod
`), "releasekit.yaml")
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Printf("%d:%d %s\n", p.Line, p.Column, p.Path)
		}
	}
	fmt.Println(err)
	// Output:
	// 4:5 /environments/0/aprovers
	// 6:17 /environments/1/production
	// 7:11 /environments/2/name
	// releasekit.yaml:4:5: environments[0]: unknown key "aprovers" (want approvers, controls, freezes, name, permissions, production, windows)
	// releasekit.yaml:6:17: environments[1].production: want boolean, got string
	// releasekit.yaml:7:11: environment "prod" is defined twice
}

// Authorize answers who may do what where; a person's aliases are that
// person.
func ExampleConfig_Authorize() {
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - name: staging
  - name: prod
    production: true
    approvers: [cleo]
    permissions: {deploy: [release-bot]}
people:
  cleo: [cleo@example.com]
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Authorize("prod", config.ActionApprove, "Cleo@Example.com"))
	fmt.Println(cfg.Authorize("prod", config.ActionRollback, "cleo"))
	fmt.Println(cfg.Authorize("staging", config.ActionDeploy, "anyone"))
	err = cfg.Authorize("prod", config.ActionApprove, "release-bot")
	fmt.Println(errors.Is(err, config.ErrNotAuthorized), err)
	// Output:
	// <nil>
	// <nil>
	// <nil>
	// true config: "release-bot" may not approve in prod: not listed for approve in prod
}

// Explain writes the documented access policy an auditor files.
func ExampleConfig_Explain() {
	cfg, err := config.Parse([]byte(`version: 1
environments:
  - name: staging
  - name: prod
    production: true
    approvers: [cleo@example.com]
    permissions: {deploy: [release-bot@example.com]}
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := cfg.Explain(os.Stdout, "prod", "text"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Documented access policy of .releasekit.yaml (configuration version 1)
	//
	// Promotion order: staging -> prod
	//
	// Environment prod (2 of 2, production)
	//   deploy:    release-bot@example.com
	//   approve:   cleo@example.com
	//   rollback:  cleo@example.com (no rollback list: the approvers, as in every production environment)
	//   configure: not restricted by identity
	//   controls:  none listed
	//   windows:   none: any time
	//   freezes:   none
	//
	// Trusted keys
	//   release tags: none configured: not verified against this configuration
	//   SBOM attestations and provenance: none configured: not verified against this configuration
	//   multi-repo manifests: none configured: not verified against this configuration
	//   promotion log checkpoints: none configured: not verified against this configuration
	//
	// People
	//   none: identities are compared as written (case-insensitively)
	//
	// Policy: none configured
	// Exceptions: at most 90 days (the default)
	// Evidence store: none configured (given per command)
}
