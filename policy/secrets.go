package policy

import (
	"context"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// A SecretFinding is a secret [ScanSecrets] found: the file, the line
// (1-based) and the rule that matched. It never holds the secret.
type SecretFinding struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Rule string `json:"rule"`
}

// secretRule is one detector, after gitleaks' rules of the same ID.
type secretRule struct {
	id string
	re *regexp.Regexp
	// group is the submatch holding the secret (0: the whole match).
	group int
	// minEntropy, when set, is the Shannon entropy (bits per character)
	// the secret must reach: a generic assignment of "changeme" is not
	// reported.
	minEntropy float64
	// quick is a substring every match contains, to skip lines cheaply.
	quick []string
}

var (
	secretRules = []secretRule{
		{id: "aws-access-key-id", re: regexp.MustCompile(`\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`), group: 1, quick: []string{"A3T", "AKIA", "ASIA", "ABIA", "ACCA"}},
		{id: "github-pat", re: regexp.MustCompile(`\bghp_[0-9a-zA-Z]{36}\b`), quick: []string{"ghp_"}},
		{id: "github-fine-grained-pat", re: regexp.MustCompile(`\bgithub_pat_[0-9a-zA-Z_]{82}\b`), quick: []string{"github_pat_"}},
		{id: "github-oauth", re: regexp.MustCompile(`\bgho_[0-9a-zA-Z]{36}\b`), quick: []string{"gho_"}},
		{id: "github-app-token", re: regexp.MustCompile(`\b(?:ghu|ghs)_[0-9a-zA-Z]{36}\b`), quick: []string{"ghu_", "ghs_"}},
		{id: "github-refresh-token", re: regexp.MustCompile(`\bghr_[0-9a-zA-Z]{36}\b`), quick: []string{"ghr_"}},
		{id: "gitlab-pat", re: regexp.MustCompile(`\bglpat-[0-9a-zA-Z_\-]{20}\b`), quick: []string{"glpat-"}},
		{id: "gitlab-ptt", re: regexp.MustCompile(`\bglptt-[0-9a-f]{40}\b`), quick: []string{"glptt-"}},
		{id: "slack-bot-token", re: regexp.MustCompile(`\bxoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*`), quick: []string{"xoxb-"}},
		{id: "slack-user-token", re: regexp.MustCompile(`\bxox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}`), quick: []string{"xoxp-", "xoxe-"}},
		{id: "slack-app-token", re: regexp.MustCompile(`(?i)\bxapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+`), quick: []string{"xapp-", "XAPP-"}},
		{id: "slack-webhook-url", re: regexp.MustCompile(`hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}`), quick: []string{"hooks.slack.com/"}},
		{id: "generic-password", re: regexp.MustCompile(`(?i)(?:^|[^a-z0-9_.-])(?:password|passwd|pwd|secret|client_secret|api_?key|access_?token|auth_?token|private_?key)["']?\s*(?::=|=>|=|:)\s*["']([^"'\s]{8,200})["']`), group: 1, minEntropy: 3.5,
			quick: []string{"pass", "pwd", "secret", "key", "token", "PASS", "PWD", "SECRET", "KEY", "TOKEN", "Pass", "Secret", "Key", "Token"}},
	}
	// configAssignRE is an unquoted assignment in a configuration file
	// (.env, YAML, properties, INI, TOML).
	configAssignRE = regexp.MustCompile(`(?i)^\s*(?:export\s+)?[a-z0-9_.-]*(?:password|passwd|secret|api_?key|access_?token|auth_?token)\s*[:=]\s*([^\s"'#]{12,200})\s*(?:#.*)?$`)
	pemBeginRE     = regexp.MustCompile(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)
	pemBodyRE      = regexp.MustCompile(`^[A-Za-z0-9+/=]{16,}$`)
	// secretRefRE marks a value that refers to a secret kept elsewhere
	// (${{ secrets.X }}, ${VAR}, {{ .Values.x }}, $(cmd), vault:…) or is a
	// placeholder.
	secretRefRE = regexp.MustCompile(`(?i)\$\{|\{\{|\$\(|^\$[a-z_]|<[^>]*>|^vault:|^arn:|secretsmanager|example|changeme|placeholder|dummy|redacted|xxxx|\*\*\*\*`)
)

// ScanSecrets returns the secrets found in content, the file at path p:
// PEM private key blocks (a "-----BEGIN … PRIVATE KEY-----" line followed
// by an encoded body, not a string naming the header), AWS access key IDs,
// GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), GitLab
// personal access and pipeline trigger tokens, Slack bot, user and app
// tokens and webhook URLs — gitleaks' rules of the same names — and
// generic assignments of a quoted value to a password, secret, API key or
// token name ("password = '…'"), and unquoted ones in configuration files
// (.env, .yml, .yaml, .properties, .ini, .toml, .cfg, .conf), whose value
// has a Shannon entropy of at least 3.5 bits per character and does not
// refer to a secret kept elsewhere (${{ secrets.X }}, ${VAR}, {{ … }},
// vault:, arn:) or read as a placeholder (example, changeme, <…>, xxxx).
// AWS's documentation key (…EXAMPLE) is not reported. A line is reported
// once, for its first rule. Findings never carry the secret.
func ScanSecrets(p string, content []byte) []SecretFinding {
	var out []SecretFinding
	lines := strings.Split(string(content), "\n")
	ext := strings.ToLower(path.Ext(p))
	base := strings.ToLower(path.Base(p))
	config := slices.Contains([]string{".env", ".yml", ".yaml", ".properties", ".ini", ".toml", ".cfg", ".conf"}, ext) || strings.HasPrefix(base, ".env")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if len(line) > 4096 {
			line = line[:4096]
		}
		if rule := lineSecret(line, config); rule != "" {
			out = append(out, SecretFinding{Path: p, Line: i + 1, Rule: rule})
			continue
		}
		if strings.Contains(line, "PRIVATE KEY") && pemBeginRE.MatchString(line) && pemBody(lines[i+1:]) {
			out = append(out, SecretFinding{Path: p, Line: i + 1, Rule: "private-key"})
		}
	}
	return out
}

// pemBody reports whether the lines after a BEGIN line are a PEM body: at
// least 64 base64 characters (headers such as "Proc-Type:" aside) before
// an END line.
func pemBody(lines []string) bool {
	n := 0
	for i, l := range lines {
		if i > 200 {
			return false
		}
		// Peel the quoting of a key kept in source (quotes, a comma, a
		// concatenating "+", a literal \n), not the characters "\" and "n"
		// of the body: a body line ending in "n" is base64 like any other.
		l = strings.TrimSpace(l)
		for prev := ""; prev != l; {
			prev = l
			// A "+" joining quoted strings, not a body's last "+".
			if t := strings.TrimSpace(strings.TrimSuffix(l, "+")); t != l && strings.ContainsAny(t[max(len(t)-1, 0):], "\"'`") {
				l = t
			}
			l = strings.TrimSuffix(strings.Trim(l, "\"',`"), `\n`)
		}
		switch {
		case strings.HasPrefix(l, "-----END"):
			return n >= 64
		case l == "" || strings.Contains(l, ": "):
		case pemBodyRE.MatchString(l):
			n += len(l)
		default:
			return false
		}
	}
	return false
}

// lineSecret returns the rule a line matches, or "".
func lineSecret(line string, config bool) string {
	for _, r := range secretRules {
		if !slices.ContainsFunc(r.quick, func(q string) bool { return strings.Contains(line, q) }) {
			continue
		}
		for _, m := range r.re.FindAllStringSubmatch(line, 4) {
			v := m[r.group]
			if strings.Contains(v, "EXAMPLE") {
				continue
			}
			if r.minEntropy > 0 && (entropy(v) < r.minEntropy || secretRefRE.MatchString(v)) {
				continue
			}
			return r.id
		}
	}
	if config {
		if m := configAssignRE.FindStringSubmatch(line); m != nil && entropy(m[1]) >= 3.5 && !secretRefRE.MatchString(m[1]) {
			return "generic-password"
		}
	}
	return ""
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

// NoSecrets (REL-SECRETS-001) requires the repository to hold no secret
// (§1.19.3.3/1: no secrets in Git; §1.19.5.1/4: secrets are referenced
// through the secrets manager, not present in the repository): it runs
// [ScanSecrets] over every file of Facts.Files ([ReadFiles] reads every
// text file of the work tree up to 1 MiB). AllowPaths are path.Match
// patterns of files not scanned (test fixtures holding throw-away keys,
// "testdata/*"); each is listed in the evidence. The evidence names the
// file, line and rule of each finding, never the secret. Without the
// repository's files the control fails with [ErrMissingEvidence]; a
// repository always has files, so it is never not applicable.
//
// What it cannot see: binary files and text files over 1 MiB (ReadFiles
// skips them), secrets in the history but no longer in the tree (rotate
// them: removing a file does not revoke a secret), and encrypted blobs,
// whose key management people judge.
type NoSecrets struct {
	AllowPaths []string
}

// Meta describes the control.
func (NoSecrets) Meta() Meta {
	return Meta{ID: "REL-SECRETS-001", Title: "No secret is stored in the repository", Section: "§1.19.3.3, §1.19.5.1", Criteria: []string{"CC6.1", "CC6.7"}, Severity: Critical}
}

// Evaluate scans f.Files.
func (c NoSecrets) Evaluate(_ context.Context, f Facts) Result {
	for _, p := range c.AllowPaths {
		if _, err := path.Match(p, ""); err != nil {
			return Result{Status: Fail, Reason: fmt.Sprintf("allow_paths pattern %q: %v", p, err), Err: err}
		}
	}
	if f.Files == nil {
		return missing("the repository's files (policy.ReadFiles), to scan for secrets")
	}
	var ev, bad []Evidence
	scanned := 0
	for _, p := range sortedKeys(f.Files) {
		if slices.ContainsFunc(c.AllowPaths, func(pat string) bool { ok, _ := path.Match(pat, p); return ok }) {
			ev = append(ev, Evidence{Kind: "file", Value: p, Note: "not scanned: allow_paths"})
			continue
		}
		scanned++
		for _, s := range ScanSecrets(p, f.Files[p]) {
			e := Evidence{Kind: "file", Value: fmt.Sprintf("%s:%d", s.Path, s.Line), Note: s.Rule + " (redacted)"}
			bad = append(bad, e)
			ev = append(ev, e)
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d secret(s) in the repository: %s; revoke and rotate each, remove it from the tree (and the history), and reference it through the secrets manager",
			len(bad), notes(bad)), ev...)
	}
	return pass(fmt.Sprintf("no secret in the %d file(s) scanned", scanned), ev...)
}

// loadNoSecrets reads REL-SECRETS-001's parameters: {allow_paths: [testdata/*]}.
func loadNoSecrets(v *yaml.Node) (Control, error) {
	var pr struct {
		AllowPaths []string `yaml:"allow_paths"`
	}
	if err := decodeStrict(v, &pr); err != nil {
		return nil, err
	}
	for i, p := range pr.AllowPaths {
		if _, err := path.Match(p, ""); err != nil || strings.TrimSpace(p) == "" {
			return nil, cfgErr(seqItem(v, "allow_paths", i), "allow_paths: pattern %q: want a path or a path.Match pattern (testdata/*)", p)
		}
	}
	return NoSecrets{AllowPaths: pr.AllowPaths}, nil
}
