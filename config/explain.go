package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/textsafe"
	"github.com/releasekit/releasekit/policy"
)

// ErrUnknownEnvironment is returned by [Config.Explain] for an environment
// the configuration does not define.
var ErrUnknownEnvironment = errors.New("config: unknown environment")

// notRestricted is what the documented access policy says of an action
// whose list is absent.
const notRestricted = "not restricted by identity"

// Explain writes the documented access policy of the configuration, for an
// auditor: the promotion order; for each environment (only env when it is
// not empty) whether it is production, who may deploy, approve, roll back
// and configure there ("not restricted by identity" when the configuration
// does not restrict it), the controls that gate it and its change windows
// and freezes; the trusted keys with their fingerprints; the people; the
// policy; the exception lifetime and the stores. format is "text",
// "markdown" or "json" (stable field names). Paths are shown relative to the
// configuration's directory. An env the configuration lacks returns
// [ErrUnknownEnvironment]; nothing is written on error.
func (c *Config) Explain(w io.Writer, env, format string) error {
	switch format {
	case "text", "markdown", "json":
	default:
		return fmt.Errorf("config: explain: format %q: want text, markdown or json", format)
	}
	x, err := c.explanation(env)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch format {
	case "text":
		x.text(&b)
	case "markdown":
		x.markdown(&b)
	default:
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(x); err != nil {
			return fmt.Errorf("config: explain: %w", err)
		}
	}
	_, err = w.Write(b.Bytes())
	return err
}

// The documented access policy, as Explain writes it in JSON.
type explanation struct {
	File         string          `json:"file"`
	Version      int             `json:"version"`
	Order        []string        `json:"order"`
	Environments []envExplained  `json:"environments"`
	Trust        []trustSet      `json:"trust"`
	Identity     identityView    `json:"identity"`
	People       []personAliases `json:"people"`
	Policy       *policyView     `json:"policy"`
	Exceptions   exceptionView   `json:"exceptions"`
	Stores       storesView      `json:"stores"`
}

type envExplained struct {
	Name        string       `json:"name"`
	Position    int          `json:"position"` // 1-based, in the promotion order
	Production  bool         `json:"production"`
	Permissions []permission `json:"permissions"`
	// VerifiedIdentity: an OIDC token of identity.issuers must identify
	// whoever acts here.
	VerifiedIdentity bool          `json:"verified_identity"`
	Controls         []controlView `json:"controls"`
	Windows          []string      `json:"windows"`
	Freezes          []freezeView  `json:"freezes"`
	WindowsFrom      string        `json:"windows_from"` // "configuration", "policy" or "" when none
}

type permission struct {
	Action     Action   `json:"action"`
	Restricted bool     `json:"restricted"`
	Identities []string `json:"identities"`
	Note       string   `json:"note,omitempty"`
}

type controlView struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Section string `json:"section"`
	Source  string `json:"source"` // "policy", "configuration" or "not enabled"
}

type freezeView struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

type trustSet struct {
	Kind           string    `json:"kind"` // tags, provenance, manifests, checkpoints
	Purpose        string    `json:"purpose"`
	AllowedSigners *keyFile  `json:"allowed_signers"`
	Keyring        *keyFile  `json:"keyring"`
	Keys           []keyFile `json:"keys"`
}

type keyFile struct {
	Path string    `json:"path"`
	Keys []KeyInfo `json:"keys"`
}

type identityView struct {
	Issuers []issuerView `json:"issuers"`
}

type issuerView struct {
	Issuer    string      `json:"issuer"`
	Audience  string      `json:"audience"`
	JWKS      *jwksView   `json:"jwks"` // null: discovered and fetched over HTTPS
	NameClaim string      `json:"name_claim"`
	Claims    []claimView `json:"claims"` // none: every token of the issuer for the audience
}

type jwksView struct {
	Path string    `json:"path"`
	Keys []jwkView `json:"keys"`
}

type jwkView struct {
	ID         string `json:"kid"`
	Type       string `json:"type"`
	Algorithm  string `json:"alg"`
	Thumbprint string `json:"thumbprint"` // RFC 7638, SHA-256, base64url
}

type claimView struct {
	Claim  string   `json:"claim"`
	Values []string `json:"values"` // any one; * matches any run of characters
}

type personAliases struct {
	Person  string   `json:"person"`
	Aliases []string `json:"aliases"`
}

type policyView struct {
	File     string   `json:"file,omitempty"`
	Inline   bool     `json:"inline"`
	Advisory bool     `json:"advisory"`
	Controls []string `json:"controls"`
}

type exceptionView struct {
	MaxLifetime string `json:"max_lifetime"`
	Days        int    `json:"max_lifetime_days"`
	Default     bool   `json:"default"`
}

type storesView struct {
	Store    string `json:"store,omitempty"`
	GitStore string `json:"git_store,omitempty"`
	OCIStore string `json:"oci_store,omitempty"`
}

// rel returns p relative to the configuration's directory, with slashes.
func (c *Config) rel(p string) string {
	if p == "" {
		return ""
	}
	base := "."
	if c.File != "" {
		base = filepath.Dir(c.File)
	}
	if ab, err := filepath.Abs(base); err == nil {
		base = ab
	}
	if r, err := filepath.Rel(base, p); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

func (c *Config) explanation(env string) (*explanation, error) {
	x := &explanation{File: filepath.ToSlash(c.File), Version: c.Version, Order: c.Order()}
	if x.File == "" {
		x.File = FileName
	}
	if x.Order == nil {
		x.Order = []string{}
	}
	if env != "" {
		if _, ok := c.Env(env); !ok {
			return nil, fmt.Errorf("%w %q (the configuration has %s)", ErrUnknownEnvironment, env, strings.Join(c.Order(), ", "))
		}
	}
	known := knownControls()
	enabled := c.Policy.ControlIDs()
	x.Environments = []envExplained{}
	for i, e := range c.Environments {
		if env != "" && e.Name != env {
			continue
		}
		v := envExplained{Name: e.Name, Position: i + 1, Production: e.Production, VerifiedIdentity: e.VerifiedIdentity,
			Controls: []controlView{}, Windows: []string{}, Freezes: []freezeView{}}
		for _, a := range Actions() {
			ids, restricted := e.Allowed(a)
			p := permission{Action: a, Restricted: restricted, Identities: slices.Clone(ids)}
			if p.Identities == nil {
				p.Identities = []string{}
			}
			if a == ActionRollback && e.Production && e.Permissions.Rollback == nil {
				p.Note = "no rollback list: the approvers, as in every production environment"
			}
			v.Permissions = append(v.Permissions, p)
		}
		for _, id := range e.Controls {
			m := known[id]
			src := "not enabled"
			switch {
			case slices.Contains(enabled, id):
				src = "policy"
			case id == "REL-ENV-001", id == "REL-WINDOW-001" && (len(e.Windows) > 0 || len(e.Freezes) > 0):
				src = "configuration"
			}
			v.Controls = append(v.Controls, controlView{ID: id, Title: m.Title, Section: m.Section, Source: src})
		}
		// The policy's controls gate every promotion, listed here or not.
		for _, id := range enabled {
			if !slices.Contains(e.Controls, id) {
				m := known[id]
				v.Controls = append(v.Controls, controlView{ID: id, Title: m.Title, Section: m.Section, Source: "policy"})
			}
		}
		windows, freezes := e.Windows, e.Freezes
		if len(windows) > 0 || len(freezes) > 0 {
			v.WindowsFrom = "configuration"
		} else if cw, ok := c.policyWindow(e); ok {
			windows, freezes = cw.Windows, cw.Freezes
			v.WindowsFrom = "policy"
		}
		for _, w := range windows {
			v.Windows = append(v.Windows, w.String())
		}
		for _, f := range freezes {
			v.Freezes = append(v.Freezes, freezeView{From: f.From.Format(time.RFC3339), To: f.To.Format(time.RFC3339), Reason: f.Reason})
		}
		x.Environments = append(x.Environments, v)
	}
	for _, t := range []struct {
		kind, purpose string
		k             KeySet
	}{
		{"tags", "release tags", c.Trust.Tags},
		{"provenance", "SBOM attestations and provenance", c.Trust.Provenance},
		{"manifests", "multi-repo manifests", c.Trust.Manifests},
		{"checkpoints", "promotion log checkpoints", c.Trust.Checkpoints},
	} {
		s := trustSet{Kind: t.kind, Purpose: t.purpose, Keys: []keyFile{}}
		if t.k.AllowedSigners != "" {
			s.AllowedSigners = &keyFile{Path: c.rel(t.k.AllowedSigners), Keys: c.keyList(t.k.AllowedSigners)}
		}
		if t.k.Keyring != "" {
			s.Keyring = &keyFile{Path: c.rel(t.k.Keyring), Keys: c.keyList(t.k.Keyring)}
		}
		for _, p := range t.k.Keys {
			s.Keys = append(s.Keys, keyFile{Path: c.rel(p), Keys: c.keyList(p)})
		}
		x.Trust = append(x.Trust, s)
	}
	x.Identity.Issuers = []issuerView{}
	for _, is := range c.Identity.Issuers {
		iv := issuerView{Issuer: is.Issuer, Audience: is.Audience, NameClaim: is.nameClaim(), Claims: []claimView{}}
		if is.JWKS != "" {
			iv.JWKS = &jwksView{Path: c.rel(is.JWKS), Keys: []jwkView{}}
			for _, k := range c.jwksKeys[is.JWKS] {
				iv.JWKS.Keys = append(iv.JWKS.Keys, jwkView{ID: k.ID, Type: k.Type, Algorithm: k.Algorithm, Thumbprint: k.Thumbprint})
			}
		}
		for _, claim := range sortedKeys(is.Claims) {
			iv.Claims = append(iv.Claims, claimView{Claim: claim, Values: slices.Clone(is.Claims[claim])})
		}
		x.Identity.Issuers = append(x.Identity.Issuers, iv)
	}
	persons := make([]string, 0, len(c.People))
	for p := range c.People {
		persons = append(persons, p)
	}
	slices.Sort(persons)
	x.People = []personAliases{}
	for _, p := range persons {
		x.People = append(x.People, personAliases{Person: p, Aliases: slices.Clone(c.People[p])})
	}
	if c.Policy.Policy != nil {
		x.Policy = &policyView{File: c.rel(c.Policy.File), Inline: c.Policy.Inline, Advisory: c.Policy.Policy.Advisory, Controls: enabled}
	}
	lt := c.Exceptions.MaxLifetime
	if lt == 0 {
		lt = DefaultMaxExceptionLifetime
	}
	days := int(lt / (24 * time.Hour))
	x.Exceptions = exceptionView{MaxLifetime: strconv.Itoa(days) + "d", Days: days, Default: c.Exceptions.Default || c.Exceptions.MaxLifetime == 0}
	x.Stores = storesView{Store: c.rel(c.Stores.Store), GitStore: c.rel(c.Stores.GitStore), OCIStore: c.Stores.OCIStore}
	return x, nil
}

// policyWindow returns the policy's change-window control when it applies
// to e: it lists e, or it lists no environment and e is production.
func (c *Config) policyWindow(e Environment) (policy.ChangeWindow, bool) {
	if c.Policy.Policy == nil {
		return policy.ChangeWindow{}, false
	}
	for _, ctl := range c.Policy.Policy.Controls {
		cw, ok := ctl.(policy.ChangeWindow)
		if !ok {
			continue
		}
		if (cw.Environments == nil && e.Production) || slices.Contains(cw.Environments, e.Name) {
			return cw, true
		}
	}
	return policy.ChangeWindow{}, false
}

func (c *Config) keyList(path string) []KeyInfo {
	ks := slices.Clone(c.keys[path])
	if ks == nil {
		ks = []KeyInfo{}
	}
	return ks
}

// safe makes configuration text safe to print on one line.
func safe(s string) string { return textsafe.OneLine(s) }

func safeList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = safe(id)
	}
	return strings.Join(out, ", ")
}

func (p permission) describe() string {
	if !p.Restricted {
		return notRestricted
	}
	s := safeList(p.Identities)
	if p.Note != "" {
		s += " (" + p.Note + ")"
	}
	return s
}

func (e envExplained) kind() string {
	if e.Production {
		return "production"
	}
	return "not production"
}

func (s trustSet) lines() []string {
	var out []string
	add := func(what string, f keyFile) {
		out = append(out, what+" "+safe(f.Path))
		for _, k := range f.Keys {
			line := "  " + k.Type + " " + k.Fingerprint
			if len(k.Principals) > 0 {
				line += " for " + safeList(k.Principals)
			}
			if len(k.Namespaces) > 0 {
				line += " in namespaces " + safeList(k.Namespaces)
			}
			out = append(out, line)
		}
	}
	if s.AllowedSigners != nil {
		add("SSH allowed_signers", *s.AllowedSigners)
	}
	if s.Keyring != nil {
		add("OpenPGP keyring", *s.Keyring)
	}
	for _, k := range s.Keys {
		add("key", k)
	}
	return out
}

func (x *explanation) text(b *bytes.Buffer) {
	fmt.Fprintf(b, "Documented access policy of %s (configuration version %d)\n\n", safe(x.File), x.Version)
	fmt.Fprintf(b, "Promotion order: %s\n", strings.Join(x.Order, " -> "))
	for _, e := range x.Environments {
		fmt.Fprintf(b, "\nEnvironment %s (%d of %d, %s)\n", e.Name, e.Position, len(x.Order), e.kind())
		for _, p := range e.Permissions {
			fmt.Fprintf(b, "  %-10s %s\n", string(p.Action)+":", p.describe())
		}
		fmt.Fprintf(b, "  %-10s %s\n", "identity:", e.identityText())
		if len(e.Controls) == 0 {
			fmt.Fprintf(b, "  %-10s %s\n", "controls:", "none listed")
		}
		for i, ctl := range e.Controls {
			label := ""
			if i == 0 {
				label = "controls:"
			}
			fmt.Fprintf(b, "  %-10s %s %s (%s; %s)\n", label, ctl.ID, ctl.Title, ctl.Section, sourceText(ctl.Source))
		}
		if len(e.Windows) == 0 {
			fmt.Fprintf(b, "  %-10s %s\n", "windows:", "none: any time")
		}
		for i, w := range e.Windows {
			label := ""
			if i == 0 {
				label = "windows:"
			}
			fmt.Fprintf(b, "  %-10s %s%s\n", label, w, fromPolicy(e.WindowsFrom))
		}
		if len(e.Freezes) == 0 {
			fmt.Fprintf(b, "  %-10s %s\n", "freezes:", "none")
		}
		for i, f := range e.Freezes {
			label := ""
			if i == 0 {
				label = "freezes:"
			}
			fmt.Fprintf(b, "  %-10s %s until %s: %s%s\n", label, f.From, f.To, safe(f.Reason), fromPolicy(e.WindowsFrom))
		}
	}
	b.WriteString("\nTrusted keys\n")
	for _, s := range x.Trust {
		lines := s.lines()
		if len(lines) == 0 {
			fmt.Fprintf(b, "  %s: none configured: not verified against this configuration\n", s.Purpose)
			continue
		}
		fmt.Fprintf(b, "  %s:\n", s.Purpose)
		for _, l := range lines {
			fmt.Fprintf(b, "    %s\n", l)
		}
	}
	b.WriteString("\nIdentities from CI (OIDC ID tokens)\n")
	if len(x.Identity.Issuers) == 0 {
		b.WriteString("  " + noIssuers + "\n")
	}
	for _, is := range x.Identity.Issuers {
		fmt.Fprintf(b, "  %s for audience %s\n", safe(is.Issuer), safe(is.Audience))
		fmt.Fprintf(b, "    %-9s %s\n", "keys:", is.keysText())
		if is.JWKS != nil {
			for _, k := range is.JWKS.Keys {
				fmt.Fprintf(b, "    %-9s %s\n", "", k.text())
			}
		}
		fmt.Fprintf(b, "    %-9s claim %s\n", "actor:", safe(is.NameClaim))
		fmt.Fprintf(b, "    %-9s %s\n", "requires:", is.claimsText(safe))
	}
	b.WriteString("\nPeople\n")
	if len(x.People) == 0 {
		b.WriteString("  none: identities are compared as written (case-insensitively)\n")
	}
	for _, p := range x.People {
		fmt.Fprintf(b, "  %s: %s\n", safe(p.Person), safeList(p.Aliases))
	}
	b.WriteString("\n")
	b.WriteString(x.policyText() + "\n")
	def := ""
	if x.Exceptions.Default {
		def = " (the default)"
	}
	fmt.Fprintf(b, "Exceptions: at most %d days%s\n", x.Exceptions.Days, def)
	fmt.Fprintf(b, "Evidence store: %s\n", x.storesText())
}

// noIssuers is what the documented access policy says without issuers.
const noIssuers = "none configured: identities are as typed, recorded as unverified"

func (e envExplained) identityText() string {
	if e.VerifiedIdentity {
		return "verified: an OIDC token of identity.issuers must identify who acts"
	}
	return "as typed: recorded as unverified"
}

func (is issuerView) keysText() string {
	if is.JWKS == nil {
		return "discovered from the issuer and fetched over HTTPS"
	}
	return "pinned in " + safe(is.JWKS.Path)
}

func (k jwkView) text() string {
	s := k.Type
	if k.ID != "" {
		s += " kid " + safe(k.ID)
	}
	if k.Algorithm != "" {
		s += " (" + k.Algorithm + ")"
	}
	return s + " thumbprint " + k.Thumbprint
}

// claimsText says which tokens of the issuer are accepted; esc escapes
// configuration text for the format.
func (is issuerView) claimsText(esc func(string) string) string {
	if len(is.Claims) == 0 {
		return "(none: the configuration is invalid without claims)"
	}
	parts := make([]string, len(is.Claims))
	for i, c := range is.Claims {
		values := make([]string, len(c.Values))
		for j, v := range c.Values {
			values[j] = esc(v)
		}
		parts[i] = esc(c.Claim) + " is " + strings.Join(values, " or ")
	}
	return strings.Join(parts, "; ")
}

func fromPolicy(src string) string {
	if src == "policy" {
		return " (from the policy)"
	}
	return ""
}

func sourceText(src string) string {
	switch src {
	case "policy":
		return "enabled by the policy"
	case "configuration":
		return "configured here"
	}
	return "not enabled by the policy"
}

func (x *explanation) policyText() string {
	if x.Policy == nil {
		return "Policy: none configured"
	}
	where := "inline"
	if !x.Policy.Inline {
		where = safe(x.Policy.File)
	}
	mode := "enforced"
	if x.Policy.Advisory {
		mode = "advisory: failures are reported, not enforced"
	}
	return fmt.Sprintf("Policy: %s (%s), controls %s", where, mode, strings.Join(x.Policy.Controls, ", "))
}

func (x *explanation) storesText() string {
	switch {
	case x.Stores.Store != "":
		return "directory " + safe(x.Stores.Store)
	case x.Stores.GitStore != "":
		return "git repository " + safe(x.Stores.GitStore) + " (refs/releasekit/log)"
	case x.Stores.OCIStore != "":
		return "OCI registry repository " + safe(x.Stores.OCIStore)
	}
	return "none configured (given per command)"
}

// md makes text safe for a Markdown table cell.
func md(s string) string {
	s = safe(s)
	return strings.NewReplacer("|", `\|`, "`", "\\`", "<", "&lt;", ">", "&gt;").Replace(s)
}

func mdList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = md(id)
	}
	return strings.Join(out, ", ")
}

func (x *explanation) markdown(b *bytes.Buffer) {
	fmt.Fprintf(b, "# Documented access policy\n\nConfiguration `%s`, version %d.\n\n", md(x.File), x.Version)
	fmt.Fprintf(b, "Promotion order: %s.\n", strings.Join(x.Order, " → "))
	for _, e := range x.Environments {
		fmt.Fprintf(b, "\n## Environment %s\n\n", e.Name)
		fmt.Fprintf(b, "Position %d of %d in the promotion order; %s.\n\n", e.Position, len(x.Order), e.kind())
		b.WriteString("| Action | Who may take it |\n|---|---|\n")
		for _, p := range e.Permissions {
			who := notRestricted
			if p.Restricted {
				who = mdList(p.Identities)
				if p.Note != "" {
					who += " (" + p.Note + ")"
				}
			}
			fmt.Fprintf(b, "| %s | %s |\n", p.Action, who)
		}
		fmt.Fprintf(b, "\nIdentity: %s.\n", e.identityText())
		b.WriteString("\nControls that gate it:\n\n")
		if len(e.Controls) == 0 {
			b.WriteString("- none listed\n")
		}
		for _, c := range e.Controls {
			fmt.Fprintf(b, "- %s %s (%s; %s)\n", c.ID, md(c.Title), c.Section, sourceText(c.Source))
		}
		b.WriteString("\nChange windows: ")
		if len(e.Windows) == 0 {
			b.WriteString("none, any time.\n")
		} else {
			b.WriteString(md(strings.Join(e.Windows, "; ")) + fromPolicy(e.WindowsFrom) + ".\n")
		}
		if len(e.Freezes) == 0 {
			b.WriteString("\nFreezes: none.\n")
		} else {
			b.WriteString("\nFreezes:\n\n")
			for _, f := range e.Freezes {
				fmt.Fprintf(b, "- %s until %s: %s%s\n", f.From, f.To, md(f.Reason), fromPolicy(e.WindowsFrom))
			}
		}
	}
	b.WriteString("\n## Trusted keys\n\n| Signatures | Source | Key | Fingerprint | Principals |\n|---|---|---|---|---|\n")
	for _, s := range x.Trust {
		rows := 0
		row := func(src string, f keyFile) {
			if len(f.Keys) == 0 {
				fmt.Fprintf(b, "| %s | %s `%s` | | | |\n", s.Purpose, src, md(f.Path))
				rows++
			}
			for _, k := range f.Keys {
				fmt.Fprintf(b, "| %s | %s `%s` | %s | `%s` | %s |\n", s.Purpose, src, md(f.Path), md(k.Type), md(k.Fingerprint), mdList(k.Principals))
				rows++
			}
		}
		if s.AllowedSigners != nil {
			row("SSH allowed_signers", *s.AllowedSigners)
		}
		if s.Keyring != nil {
			row("OpenPGP keyring", *s.Keyring)
		}
		for _, k := range s.Keys {
			row("key", k)
		}
		if rows == 0 {
			fmt.Fprintf(b, "| %s | none configured: not verified against this configuration | | | |\n", s.Purpose)
		}
	}
	b.WriteString("\n## Identities from CI (OIDC ID tokens)\n\n")
	if len(x.Identity.Issuers) == 0 {
		b.WriteString(strings.ToUpper(noIssuers[:1]) + noIssuers[1:] + ".\n")
	} else {
		b.WriteString("| Issuer | Audience | Keys | Actor | Tokens accepted |\n|---|---|---|---|---|\n")
		for _, is := range x.Identity.Issuers {
			keys := md(is.keysText())
			if is.JWKS != nil {
				keys = "pinned in `" + md(is.JWKS.Path) + "`"
				for _, k := range is.JWKS.Keys {
					keys += "<br>" + md(k.text())
				}
			}
			code := func(s string) string { return "`" + md(s) + "`" }
			fmt.Fprintf(b, "| %s | %s | %s | claim %s | %s |\n", md(is.Issuer), md(is.Audience), keys, code(is.NameClaim), is.claimsText(code))
		}
	}
	b.WriteString("\n## People\n\n")
	if len(x.People) == 0 {
		b.WriteString("None: identities are compared as written (case-insensitively).\n")
	} else {
		b.WriteString("| Person | E-mail addresses and logins |\n|---|---|\n")
		for _, p := range x.People {
			fmt.Fprintf(b, "| %s | %s |\n", md(p.Person), mdList(p.Aliases))
		}
	}
	b.WriteString("\n## Policy, exceptions and evidence\n\n")
	fmt.Fprintf(b, "- %s\n", md(x.policyText()))
	def := ""
	if x.Exceptions.Default {
		def = " (the default)"
	}
	fmt.Fprintf(b, "- Exceptions: at most %d days%s\n", x.Exceptions.Days, def)
	fmt.Fprintf(b, "- Evidence store: %s\n", md(x.storesText()))
}
