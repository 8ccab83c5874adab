package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/config"
)

// FuzzParse checks that Parse never panics, that a refusal is an *Error
// whose problems point inside the input, and that an accepted
// configuration explains itself in every format (valid JSON included) and
// answers Authorize without panicking.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		minimal,
		"version: 1\n",
		"version: 2\n",
		"version: 1\nenvironments: [{name: prod, production: true, approvers: [a]}]\npeople: {a: [b]}\n",
		"version: 1\nenvironments:\n  - name: dev\n    name: dev\n",
		"version: 1\npolicy:\n  controls:\n    REL-SOD-001: {}\n",
		"version: 1\npolicy: {controls: {REL-WINDOW-001: {windows: [{days: [mon], start: '09:00', end: '10:00'}]}}}\n",
		"version: 1\nenvironments: [{name: p, windows: [{days: [tue], start: '10:00', end: '11:00'}], freezes: [{from: 2026-01-01, to: 2026-01-02}]}]\n",
		"version: 1\nx: &a [1]\ny: *a\n",
		"version: 1\ncomponents: [{name: api, tag_prefix: api/v, initial_version: 1.0.0}]\n",
		"version: 1\nexceptions: {max_lifetime: 30d}\nstores: {store: e}\n",
		"- a\n- b\n",
		"{",
		"version: 1\n---\n",
		"version: 1\nenvironments: [{name: prod, production: true, approvers: [a], verified_identity: false}]\nidentity:\n  issuers: [{issuer: 'https://x', audience: a, name_claim: actor, claims: {repository: acme/*, ref: [refs/heads/main]}}]\n",
		"version: 1\nenvironments: [{name: dev, verified_identity: true}]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse(data, "")
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) || !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("Parse error %T is not a *config.Error: %v", err, err)
			}
			if len(ce.Problems) == 0 {
				t.Fatal("an *Error without problems")
			}
			lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 2 // YAML breaks lines at CR too
			for _, p := range ce.Problems {
				if p.Line < 0 || p.Line > lines || p.Column < 0 {
					t.Fatalf("problem %+v outside the input of %d lines", p, lines)
				}
				if p.Msg == "" {
					t.Fatalf("problem %+v without a message", p)
				}
			}
			return
		}
		for _, format := range []string{"text", "markdown", "json"} {
			var b bytes.Buffer
			if err := cfg.Explain(&b, "", format); err != nil {
				t.Fatalf("Explain %s: %v", format, err)
			}
			if format == "json" && !json.Valid(b.Bytes()) {
				t.Fatalf("Explain json is not JSON: %s", b.Bytes())
			}
			if format == "text" && strings.ContainsAny(b.String(), "\x1b\r") {
				t.Fatalf("Explain text holds control characters: %q", b.String())
			}
		}
		for _, name := range cfg.Order() {
			for _, a := range config.Actions() {
				_ = cfg.Authorize(name, a, "someone")
			}
		}
	})
}
