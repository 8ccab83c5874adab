package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
)

// auditEnv is the audit fixture with its keys written to files, as a
// pipeline holds them.
type auditEnv struct {
	f        *audittest.Fixture
	signers  string // allowed_signers: tag key (git) and log key (releasekit-manifest)
	provKey  string // PEM public key of the provenance
	cp       string // signed checkpoint; its signature is cp + ".sig"
	at       string // RFC 3339 verification time
	keys     []string
	sources  []string // --store ... --at: every source and key
	noKeySrc []string // the sources without any key
}

func newAuditEnv(t *testing.T) *auditEnv {
	t.Helper()
	f := audittest.New(t)
	dir := t.TempDir()
	e := &auditEnv{f: f, signers: filepath.Join(dir, "allowed_signers"), provKey: filepath.Join(dir, "provenance.pub"),
		cp: filepath.Join(dir, "log.checkpoint"), at: f.At.Format(time.RFC3339)}
	require.NoError(t, os.WriteFile(e.signers, f.Keys.AllowedSigners, 0o644))
	pub := audittest.DeriveKey(audittest.DefaultSeed, "provenance").Public().(ed25519.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.provKey, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(e.cp, f.Sources.Checkpoint, 0o644))
	require.NoError(t, os.WriteFile(e.cp+".sig", f.Sources.CheckpointSig, 0o644))
	e.keys = []string{"--allowed-signers", e.signers, "--provenance-key", e.provKey}
	e.noKeySrc = []string{"--store", f.StoreDir, "--repo", f.Dir, "--evidence", f.EvidenceDir, "--at", e.at}
	e.sources = append(append(slices.Clone(e.noKeySrc), e.keys...), "--checkpoint", e.cp)
	return e
}

// args returns the subcommand and its arguments followed by every source.
func (e *auditEnv) args(sub ...string) []string {
	return append(append([]string{}, sub...), e.sources...)
}

func auditJSON(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(v), out)
}

func TestAuditTrail(t *testing.T) {
	e := newAuditEnv(t)
	f := e.f

	t.Run("release with emergency promotion", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "--release", "v1.2.2", "--json")...)
		require.Equal(t, 0, code, errOut)
		var rep audit.TrailReport
		auditJSON(t, out, &rep)
		require.Len(t, rep.Releases, 1)
		tr := rep.Releases[0]
		assert.Equal(t, "v1.2.2", tr.Release)
		assert.Equal(t, audit.Verified, tr.Status)
		assert.Equal(t, audittest.Incident, tr.Incident)
		prod, ok := tr.Find(audit.StepPromotion, "prod")
		require.True(t, ok, out)
		require.NotNil(t, prod.Promotion)
		require.NotNil(t, prod.Promotion.Emergency, "the prod promotion of v1.2.2 was an emergency change")
		assert.Equal(t, audittest.Incident, prod.Promotion.Emergency.ID)
		assert.Equal(t, audittest.IncidentCommander, prod.Promotion.Approver)
		tag, ok := tr.Find(audit.StepTag, "v1.2.2")
		require.True(t, ok)
		assert.Equal(t, audit.Verified, tag.Status)
		lg := tr.Steps(audit.StepLog)
		require.Len(t, lg, 1)
		assert.Equal(t, audit.Verified, lg[0].Status, "the signed checkpoint verifies the log")
	})

	t.Run("text", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "v1.2.2")...) // a positional query
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "release v1.2.2 ")
		assert.Contains(t, out, "emergency change INC123")
		assert.Empty(t, errOut)
	})

	t.Run("without keys nothing is verified, nothing is a gap", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, append([]string{"trail", "--release", "v1.2.2", "--json"}, e.noKeySrc...)...)
		require.Equal(t, 0, code, errOut)
		var rep audit.TrailReport
		auditJSON(t, out, &rep)
		tag, ok := rep.Releases[0].Find(audit.StepTag, "v1.2.2")
		require.True(t, ok)
		assert.Equal(t, audit.Recorded, tag.Status)
	})

	t.Run("commit backported", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "--commit", f.Commits.Fix, "--json")...)
		require.Equal(t, 0, code, errOut)
		var rep audit.TrailReport
		auditJSON(t, out, &rep)
		var via []audit.Via
		for _, c := range rep.Containing {
			if c.Release == "v1.2.1" {
				via = c.Via
			}
		}
		require.NotEmpty(t, via, "v1.2.1 contains the fix through its backport: %s", out)
		assert.Equal(t, audit.HowCherryPick, via[0].How)
		assert.Equal(t, f.Commits.Backport, via[0].Commit)
		var tags []string
		for _, r := range rep.Releases {
			tags = append(tags, r.Release)
		}
		assert.Contains(t, tags, "v1.2.1")
		assert.Contains(t, tags, "v1.3.0")
	})

	t.Run("ticket", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "--ticket", "SHOP-7", "--json")...)
		require.Equal(t, 0, code, errOut)
		var rep ticketTrail
		auditJSON(t, out, &rep)
		assert.Equal(t, "SHOP-7", rep.Query.Ticket)
		assert.Contains(t, rep.Commits, f.Commits.Hotfix)
		var tags []string
		for _, r := range rep.Releases {
			tags = append(tags, r.Release)
		}
		assert.Equal(t, []string{"v1.2.2", "v1.3.0"}, tags)

		out, errOut, code = runTagCmd(t, cmdAudit, e.args("trail", "--ticket", "SHOP-7")...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "SHOP-7: 2 production release(s)")
		assert.Contains(t, out, "release v1.3.0 ")

		_, errOut, code = runTagCmd(t, cmdAudit, e.args("trail", "--ticket", "NOPE-1")...)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "ticket NOPE-1 is in no production release")
	})

	t.Run("commit in no production release", func(t *testing.T) {
		h := f.Git.Commit("feat: not released yet\n\nRefs: SHOP-99\n")
		_, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "--commit", h)...)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "commit is in no production release")
		_, errOut, code = runTagCmd(t, cmdAudit, e.args("trail", "--ticket", "SHOP-99")...)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "ticket SHOP-99 is in no production release")
	})

	t.Run("unknown release is bad input", func(t *testing.T) {
		_, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "--release", "v9.9.9")...)
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "unknown release")
	})

	t.Run("CI outputs", func(t *testing.T) {
		code, output, summary, stderr := ciRelctl(t, append([]string{"audit"}, e.args("trail", "--release", "v1.2.2")...)...)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "status=complete\ngaps=0\nreleases=v1.2.2\n", output)
		assert.Contains(t, summary, "| status | complete |")
	})

	// Last: it removes evidence of the fixture.
	t.Run("missing SBOM is a gap", func(t *testing.T) {
		r, ok := f.Release("v1.2.2")
		require.True(t, ok)
		require.NoError(t, os.Remove(filepath.Join(f.EvidenceDir, r.SBOM)))

		out, errOut, code := runTagCmd(t, cmdAudit, e.args("trail", "--release", "v1.2.2")...)
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "gap      sbom")
		assert.Contains(t, errOut, "relctl: audit trail incomplete: 1 gaps or failed links (0 failed); first: v1.2.2 gap sbom "+r.SBOM)

		out, _, code = runTagCmd(t, cmdAudit, e.args("trail", "--release", "v1.2.2", "--json")...)
		assert.Equal(t, 1, code)
		var rep audit.TrailReport
		auditJSON(t, out, &rep)
		assert.Equal(t, audit.Gap, rep.Releases[0].Status)
		sb := rep.Releases[0].Steps(audit.StepSBOM)
		require.Len(t, sb, 1)
		assert.Equal(t, audit.Gap, sb[0].Status)
		assert.Contains(t, sb[0].Error, "evidence missing")

		code, output, _, stderr := ciRelctl(t, append([]string{"audit"}, e.args("trail", "--release", "v1.2.2")...)...)
		assert.Equal(t, 1, code)
		assert.Equal(t, "status=gaps\ngaps=1\nreleases=v1.2.2\n", output)
		assert.Contains(t, stderr, "::error title=relctl audit trail::relctl audit trail failed: audit trail incomplete")
	})
}

func TestAuditBundle(t *testing.T) {
	e := newAuditEnv(t)
	dir := t.TempDir()

	a, b := filepath.Join(dir, "a.tar.gz"), filepath.Join(dir, "b.tgz")
	for _, out := range []string{a, b} {
		stdout, errOut, code := runTagCmd(t, cmdAudit, e.args("bundle", "--release", "v1.2.2", "--out", out)...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, stdout, "bundle v1.2.2: ")
	}
	ab, bb := readFile(t, a), readFile(t, b)
	assert.Equal(t, ab, bb, "the same sources and --at give the same bytes")

	t.Run("reproducible without --at", func(t *testing.T) {
		// Without --at the bundle records no verification time: two builds
		// (the clock moving between them) give the same bytes, and
		// verify-bundle checks the signatures now.
		var sources []string
		for i := 0; i < len(e.sources); i++ {
			if e.sources[i] == "--at" {
				i++
				continue
			}
			sources = append(sources, e.sources[i])
		}
		dir := t.TempDir()
		var bundles []string
		for _, name := range []string{"x.tar.gz", "y.tar.gz"} {
			out := filepath.Join(dir, name)
			_, errOut, code := runTagCmd(t, cmdAudit, append([]string{"bundle", "--release", "v1.2.2", "--out", out}, sources...)...)
			require.Equal(t, 0, code, errOut)
			bundles = append(bundles, readFile(t, out))
		}
		assert.Equal(t, bundles[0], bundles[1], "without --at the bytes do not depend on the clock")
		assert.NotEqual(t, ab, bundles[0], "--at is recorded when given")

		out, errOut, code := runTagCmd(t, cmdAudit, append([]string{"verify-bundle", "--json", filepath.Join(dir, "x.tar.gz")}, e.keys...)...)
		require.Equal(t, 0, code, errOut)
		var res verifyBundleResult
		auditJSON(t, out, &res)
		assert.Equal(t, "pass", res.Result)
		assert.False(t, res.At.IsZero(), "verified at a time, now")
		require.NotNil(t, res.BuildTag)
		assert.False(t, res.BuildTag.Checked)
	})

	t.Run("json and CI outputs", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "c.tar.gz")
		code, output, _, stderr := ciRelctl(t, append([]string{"audit"}, e.args("bundle", "--release", "v1.2.2", "--out", out)...)...)
		require.Equal(t, 0, code, stderr)
		sum := sha256.Sum256([]byte(ab))
		assert.True(t, strings.HasPrefix(output, "bundle="+out+"\nsha256="+hex.EncodeToString(sum[:])+"\nrelease=v1.2.2\n"), output)

		stdout, errOut, code := runTagCmd(t, cmdAudit, e.args("bundle", "--release", "v1.2.2", "--out", out, "--json")...)
		require.Equal(t, 0, code, errOut)
		var res bundleResult
		auditJSON(t, stdout, &res)
		assert.Equal(t, bundleResult{Release: "v1.2.2", Path: out, Format: "tar.gz", Files: res.Files, SHA256: hex.EncodeToString(sum[:])}, res)
		assert.Greater(t, res.Files, 5)
	})

	t.Run("verify passes", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, append([]string{"verify-bundle", a}, e.keys...)...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "result: pass\n")
		assert.Contains(t, out, "pass         tag-signature")

		out, errOut, code = runTagCmd(t, cmdAudit, append([]string{"verify-bundle", "--json", a, "--at", "now"}, e.keys...)...)
		require.Equal(t, 0, code, errOut)
		var res verifyBundleResult
		auditJSON(t, out, &res)
		assert.Equal(t, "pass", res.Result)
		assert.Equal(t, "v1.2.2", res.Release)
		assert.Len(t, res.Checks, 12)
	})

	t.Run("not checked without keys", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, "verify-bundle", a)
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "not-checked  tag-signature  ")
		assert.Contains(t, out, "result: not-checked\n")
		assert.Contains(t, errOut, "is not fully checked: audit: bundle not fully checked")

		code, output, _, _ := ciRelctl(t, "audit", "verify-bundle", a)
		assert.Equal(t, 1, code)
		assert.Equal(t, "result=fail\nstatus=not-checked\nrelease=v1.2.2\n", output)
	})

	t.Run("directory form, edited", func(t *testing.T) {
		parent := t.TempDir()
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("bundle", "--release", "v1.2.2", "--out", parent)...) // an existing directory
		require.Equal(t, 0, code, errOut)
		bdir := filepath.Join(parent, "v1.2.2")
		assert.Contains(t, out, "(dir)")
		assert.Contains(t, out, "written to "+bdir)
		assert.FileExists(t, filepath.Join(bdir, bundle.IndexName))

		_, errOut, code = runTagCmd(t, cmdAudit, e.args("bundle", "--release", "v1.2.2", "--out", parent)...)
		assert.Equal(t, 2, code, "the bundle directory exists")
		assert.Contains(t, errOut, "exists")

		nd := filepath.Join(t.TempDir(), "new") + "/"
		_, errOut, code = runTagCmd(t, cmdAudit, e.args("bundle", "--release", "v1.2.2", "--out", nd)...)
		require.Equal(t, 0, code, errOut)
		assert.FileExists(t, filepath.Join(nd, bundle.RecordName))

		_, errOut, code = runTagCmd(t, cmdAudit, append([]string{"verify-bundle", bdir}, e.keys...)...)
		require.Equal(t, 0, code, errOut)

		rec := filepath.Join(bdir, filepath.FromSlash(bundle.RecordName))
		data, err := os.ReadFile(rec)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(rec, bytes.Replace(data, []byte("v1.2.2"), []byte("v1.2.3"), 1), 0o644))
		out, errOut, code = runTagCmd(t, cmdAudit, append([]string{"verify-bundle", bdir}, e.keys...)...)
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "fail         files")
		assert.Contains(t, out, "result: fail\n")
		assert.Contains(t, errOut, "fails verification")
		assert.Contains(t, errOut, "record.json", "the reason names the file edited")
		assert.Contains(t, errOut, "does not match the index")

		code, output, _, stderr := ciRelctl(t, append([]string{"audit", "verify-bundle", bdir}, e.keys...)...)
		assert.Equal(t, 1, code)
		assert.Equal(t, "result=fail\nstatus=fail\nrelease=v1.2.2\n", output)
		assert.Contains(t, stderr, "::error title=relctl audit verify-bundle::")
	})

	t.Run("not a bundle", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.tar.gz")
		require.NoError(t, os.WriteFile(junk, []byte("not gzip"), 0o644))
		_, errOut, code := runTagCmd(t, cmdAudit, "verify-bundle", junk)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "refused")
		_, _, code = runTagCmd(t, cmdAudit, "verify-bundle", filepath.Join(t.TempDir(), "missing.tar.gz"))
		assert.Equal(t, 2, code)
	})

	t.Run("unknown release", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "x.tar.gz")
		_, errOut, code := runTagCmd(t, cmdAudit, e.args("bundle", "--release", "v9.9.9", "--out", out)...)
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "unknown release")
		assert.NoFileExists(t, out)
	})
}

func TestAuditReportAndCompare(t *testing.T) {
	e := newAuditEnv(t)
	dir := t.TempDir()

	html := filepath.Join(dir, "health.html")
	out, errOut, code := runTagCmd(t, cmdAudit, e.args("report", "--since", "2026-01-01", "--until", "2026-02-01", "--out", html)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "wrote html report "+html+": 6 releases deployed to prod, 0 gaps")
	page := readFile(t, html)
	assert.Contains(t, page, "<svg")
	assert.Contains(t, page, "v1.2.2")

	md := filepath.Join(dir, "health.md")
	_, errOut, code = runTagCmd(t, cmdAudit, e.args("report", "--since", "2026-01-01", "--until", "2026-02-01T00:00:00Z", "--format", "markdown", "--out", md)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, readFile(t, md), "| ")
	assert.NotContains(t, readFile(t, md), "<svg")

	t.Run("json to stdout, with incidents", func(t *testing.T) {
		inc := filepath.Join(t.TempDir(), "incidents.json")
		require.NoError(t, os.WriteFile(inc, []byte(`[{"id":"INC9","release":"v1.3.0","opened":"2026-01-21T00:00:00Z"}]`), 0o644))
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("report", "--since", "2026-01-01", "--until", "2026-02-01", "--format", "json", "--out", "-", "--incidents", inc)...)
		require.Equal(t, 0, code, errOut)
		var rep metrics.HealthReport
		auditJSON(t, out, &rep)
		assert.Len(t, rep.Releases, 6)
		assert.True(t, rep.Generated.Equal(e.f.At), "--at dates the report")
	})

	t.Run("gaps are counted, exit 0", func(t *testing.T) {
		// Without keys nothing verifies: every release's evidence is a gap.
		out, errOut, code := runTagCmd(t, cmdAudit, append([]string{"report", "--since", "2026-01-01", "--until", "2026-02-01", "--out", filepath.Join(t.TempDir(), "r.html"), "--json"}, e.noKeySrc...)...)
		require.Equal(t, 0, code, errOut)
		var sum reportSummary
		auditJSON(t, out, &sum)
		assert.Positive(t, sum.Gaps)
		assert.Contains(t, errOut, "relctl: the report lists ")
	})

	t.Run("CI outputs", func(t *testing.T) {
		code, output, _, stderr := ciRelctl(t, append([]string{"audit"}, e.args("report", "--since", "2026-01-01", "--until", "2026-02-01", "--out", html)...)...)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "report="+html+"\ngaps=0\nreleases=6\n", output)
	})

	t.Run("compare", func(t *testing.T) {
		out, errOut, code := runTagCmd(t, cmdAudit, e.args("compare", "--from", "v1.2.1", "--to", "v1.2.2")...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "+ shop/payment.go")
		out, errOut, code = runTagCmd(t, cmdAudit, e.args("compare", "--from", "v1.2.1", "--to", "v1.2.2", "--json")...)
		require.Equal(t, 0, code, errOut)
		var c audit.Comparison
		auditJSON(t, out, &c)
		assert.Equal(t, []string{"SHOP-7"}, c.Tickets)
		_, _, code = runTagCmd(t, cmdAudit, e.args("compare", "--from", "v1.2.1", "--to", "v9.9.9")...)
		assert.Equal(t, 2, code)
	})
}

func TestAuditUsage(t *testing.T) {
	e := newAuditEnv(t)
	out := filepath.Join(t.TempDir(), "out")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "want a subcommand"},
		{"unknown subcommand", []string{"tail"}, "unknown audit subcommand"},
		{"two queries", e.args("trail", "--release", "v1.2.2", "--commit", e.f.Commits.Fix), "only one of"},
		{"no query", e.args("trail"), "give one of"},
		{"query twice", e.args("trail", "--release", "v1.2.2", "v1.2.1"), "not both"},
		{"no store", []string{"trail", "--release", "v1.2.2", "--repo", e.f.Dir}, "--store DIR or --git-store REPO is required"},
		{"both stores", e.args("trail", "--release", "v1.2.2", "--git-store", e.f.Dir), "only one of --store and --git-store"},
		{"both key kinds", e.args("trail", "--release", "v1.2.2", "--keyring", e.signers), "exactly one of --keyring and --allowed-signers"},
		{"bad at", append(e.args("trail", "--release", "v1.2.2"), "--at", "yesterday"), "--at \"yesterday\""},
		{"missing key file", e.args("trail", "--release", "v1.2.2", "--provenance-key", out), "no such file"},
		{"bad key file", e.args("trail", "--release", "v1.2.2", "--provenance-key", e.signers), "--provenance-key"},
		{"checkpoint sig missing", append(e.args("trail", "--release", "v1.2.2"), "--checkpoint", e.signers), "no signature"},
		{"missing evidence dir", append(e.args("trail", "--release", "v1.2.2"), "--evidence", out), "--evidence " + out},
		{"bundle without out", e.args("bundle", "--release", "v1.2.2"), "--release and --out are required"},
		{"report without out", e.args("report", "--since", "2026-01-01", "--until", "2026-02-01"), "--out is required"},
		{"report bad date", e.args("report", "--since", "2026-13-01", "--until", "2026-02-01", "--out", out), "--since \"2026-13-01\": want YYYY-MM-DD or RFC 3339"},
		{"report without since", e.args("report", "--until", "2026-02-01", "--out", out), "--since is required"},
		{"report empty period", e.args("report", "--since", "2026-02-01", "--until", "2026-02-01", "--out", out), "is not before"},
		{"report bad format", e.args("report", "--since", "2026-01-01", "--until", "2026-02-01", "--out", out, "--format", "pdf"), "--format \"pdf\""},
		{"report bad incidents", e.args("report", "--since", "2026-01-01", "--until", "2026-02-01", "--out", out, "--incidents", e.signers), "--incidents"},
		{"verify-bundle without bundle", []string{"verify-bundle"}, "give one BUNDLE"},
		{"verify-bundle two bundles", []string{"verify-bundle", out, out}, "give one BUNDLE"},
		{"compare without to", e.args("compare", "--from", "v1.2.1"), "--from and --to are required"},
		{"unknown flag", e.args("trail", "--release", "v1.2.2", "--nope"), "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runTagCmd(t, cmdAudit, tc.args...)
			assert.Equal(t, 2, code, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.NoFileExists(t, out)
		})
	}
}

func TestAuditHelp(t *testing.T) {
	out, errOut, code := relctl(t, "", "audit", "--help")
	require.Equal(t, 0, code, errOut)
	for _, s := range []string{"relctl audit trail (--release TAG | --digest sha256:HEX | --commit SHA | --ticket ID)",
		"relctl audit bundle --release TAG --out FILE", "relctl audit verify-bundle", "relctl audit report --since DATE --until DATE",
		"relctl audit compare --from TAG --to TAG", "Exit codes:", "Examples:"} {
		assert.Contains(t, out, s)
	}
	for _, sub := range []string{"trail", "bundle", "verify-bundle", "report", "compare"} {
		t.Run(sub, func(t *testing.T) {
			_, errOut, code := relctl(t, "", "audit", sub, "--help")
			assert.Equal(t, 0, code)
			assert.Contains(t, errOut, "Usage: relctl audit "+sub)
			assert.Contains(t, errOut, "Example")
			assert.Contains(t, errOut, "Outputs: ")
		})
	}
	out, _, _ = relctl(t, "", "--help")
	assert.Contains(t, out, "relctl audit trail")
	assert.Contains(t, out, "relctl audit report")
}

// TestAuditSubprocess runs the built relctl under GitHub Actions for one
// audit command and checks $GITHUB_OUTPUT.
func TestAuditSubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds relctl")
	}
	e := newAuditEnv(t)
	bin := buildRelctl(t)
	dir := t.TempDir()
	bundle := filepath.Join(dir, "v1.3.0.tar.gz")
	// No --repo: the repository in the working directory.
	_, stderr, code := ciRun(t, bin, e.f.Dir, nil, append([]string{"audit", "bundle", "--release", "v1.3.0", "--out", bundle,
		"--store", e.f.StoreDir, "--evidence", e.f.EvidenceDir, "--at", e.at, "--checkpoint", e.cp}, e.keys...)...)
	require.Equal(t, 0, code, stderr)

	output := filepath.Join(dir, "output")
	env := []string{"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + output, "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary")}
	stdout, stderr, code := ciRun(t, bin, dir, env, append([]string{"audit", "verify-bundle", bundle}, e.keys...)...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "result: pass")
	assert.Equal(t, "result=pass\nstatus=pass\nrelease=v1.3.0\n", readFile(t, output))
}

func TestAuditGitStore(t *testing.T) {
	f := audittest.New(t, audittest.WithGitStore())
	signers := filepath.Join(t.TempDir(), "allowed_signers")
	require.NoError(t, os.WriteFile(signers, f.Keys.AllowedSigners, 0o644))
	out, errOut, code := runTagCmd(t, cmdAudit, "trail", "--release", "v1.3.0", "--git-store", f.Dir, "--repo", f.Dir,
		"--evidence", f.EvidenceDir, "--allowed-signers", signers, "--at", f.At.Format(time.RFC3339))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "verified tag          v1.3.0: signed by "+audittest.Releaser)
	assert.Contains(t, out, "recorded provenance") // no --provenance-key
}
