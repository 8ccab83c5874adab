package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// runPolicy runs cmdPolicy and returns stdout, stderr and main's exit code.
func runPolicy(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cmdPolicy(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	code := exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

const policyConfig = `controls:
  REL-COMMIT-001: {}
  REL-HISTORY-001: {}
  REL-PIPE-001: {}
  REL-SOD-001: {}
`

// policyRepo returns a repository whose history passes policyConfig, the
// config file and a pull-request file.
func policyRepo(t *testing.T) (g *gittest.Repo, config, pr string) {
	t.Helper()
	g = gittest.New(t)
	g.CommitFiles("ci: build ABC-1", map[string]string{".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n"})
	g.Commit("feat: greet ABC-2")
	dir := t.TempDir()
	config = filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte(policyConfig), 0o644))
	pr = filepath.Join(dir, "pr.json")
	require.NoError(t, os.WriteFile(pr, []byte(`{"number": 7, "author": "alice", "approvers": ["bob"], "merge_method": "squash"}`), 0o644))
	return g, config, pr
}

func TestPolicyPass(t *testing.T) {
	g, config, pr := policyRepo(t)
	out, errOut, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--pr", pr, "--format", "json")
	require.Equal(t, 0, code, errOut+out)
	var got struct {
		Allowed bool
		Results []struct{ Status string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.True(t, got.Allowed)
	assert.Len(t, got.Results, 4)

	// The pull request from standard input.
	_, _, code = runPolicy(t, `{"number": 7, "author": "alice", "approvers": ["bob"]}`, "--config", config, "--repo", g.Dir, "--pr", "-")
	assert.Equal(t, 0, code)
}

func TestPolicyFail(t *testing.T) {
	g, config, pr := policyRepo(t)
	base := g.Head()
	bad := g.Commit("fix: no ticket")
	out, _, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--pr", pr)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL           REL-COMMIT-001")
	assert.Contains(t, out, bad[:12])
	assert.Contains(t, out, "result: DENY")

	// The range excludes the earlier, passing commits but not the bad one.
	out, _, code = runPolicy(t, "", "--config", config, "--repo", g.Dir, "--pr", pr, "--range", base+"..HEAD", "--format", "junit")
	assert.Equal(t, 1, code)
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &suites))
	assert.Equal(t, 1, suites.Failures)

	// Without pull-request data, separation of duties cannot be shown.
	out, _, code = runPolicy(t, "", "--config", config, "--repo", g.Dir, "--range", bad+"~1..HEAD", "--format", "sarif")
	assert.Equal(t, 1, code)
	var log struct {
		Version string
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	assert.Equal(t, "2.1.0", log.Version)
	levels := map[string]string{}
	for _, r := range log.Runs[0].Results {
		levels[r.RuleID] = r.Level
	}
	assert.Equal(t, "error", levels["REL-SOD-001"])
}

func TestPolicyDefaultIsStrict(t *testing.T) {
	g, _, pr := policyRepo(t)
	out, _, code := runPolicy(t, "", "--repo", g.Dir, "--pr", pr)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "34 controls")
}

func TestPolicyBadInput(t *testing.T) {
	g, config, pr := policyRepo(t)
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yml")
	require.NoError(t, os.WriteFile(typo, []byte("controls:\n  REL-TAG-001:\n    identity: [x]\n"), 0o644))
	empty := filepath.Join(dir, "empty.yml")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	badPR := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(badPR, []byte(`{"author": "a", "aproovers": []}`), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown key", []string{"--config", typo}, "line 3"},
		{"empty config", []string{"--config", empty}, "empty"},
		{"missing config", []string{"--config", filepath.Join(dir, "nope.yml")}, "nope.yml"},
		{"bad pr", []string{"--config", config, "--pr", badPR}, "aproovers"},
		{"bad format", []string{"--format", "html"}, "html"},
		{"bad range", []string{"--config", config, "--pr", pr, "--range", "nope..HEAD"}, "nope"},
		{"bad now", []string{"--now", "tomorrow"}, "tomorrow"},
		{"tag without keys", []string{"--tag", "v1.0.0"}, "--allowed-signers"},
		{"missing record", []string{"--config", config, "--record", filepath.Join(dir, "rec.json")}, "rec.json"},
		{"argument", []string{"extra"}, "extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runPolicy(t, "", append(tc.args, "--repo", g.Dir)...)
			assert.Equal(t, 2, code, errOut)
			assert.Contains(t, errOut, tc.msg)
		})
	}
	_, _, code := runPolicy(t, "", "--help")
	assert.Equal(t, 0, code)
}

// recordFile writes a release record (manifest's JSON form) with the
// artifacts digests and returns its path.
func recordFile(t *testing.T, dir string, complete bool, digests ...string) string {
	t.Helper()
	rec := manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.4.2", Commit: strings.Repeat("1", 40),
		Tickets: []string{"CHG-1234"}, PRs: []manifest.PR{{Ref: "#7"}},
		Provenance:  manifest.Provenance{BuildID: "run-1", Ref: "att://run-1"},
		SBOM:        manifest.SBOMRef{Ref: "sbom.cdx.json", Digest: manifest.Digest([]byte("sbom"))},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy previous digest", Version: "v1.4.1"},
		KnownIssues: []string{},
		Window:      manifest.Window{Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)},
	}
	for i, d := range digests {
		rec.Artifacts = append(rec.Artifacts, manifest.Artifact{Name: "app" + strconv.Itoa(i), Digest: d})
	}
	if !complete {
		rec.Tickets, rec.Rollback = nil, manifest.RollbackPlan{}
	}
	b, err := manifest.MarshalRecord(rec)
	require.NoError(t, err)
	path := filepath.Join(dir, "record-"+strconv.FormatBool(complete)+".json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

func TestPolicyRecord(t *testing.T) {
	g, config, pr := policyRepo(t)
	dir := t.TempDir()
	build1 := manifest.Digest([]byte("build 1"))
	build2 := manifest.Digest([]byte("build 2"))
	windowConfig := filepath.Join(dir, "promote.yml")
	require.NoError(t, os.WriteFile(windowConfig, []byte(policyConfig+`  REL-WINDOW-001:
    windows: [{days: [mon, tue, wed, thu], start: "09:00", end: "16:00", zone: Europe/Berlin}]
  REL-RECORD-001: {}
  REL-DIGEST-001: {}
`), 0o644))
	complete := recordFile(t, dir, true, build1, build2)
	incomplete := recordFile(t, dir, false, build1)
	request := func(name, digest, at, emergency string) string {
		path := filepath.Join(dir, name+".json")
		body := `{"release": "v1.4.2", "env": "prod", "digest": "` + digest + `", "approver": "carol", "reason": "CHG-1234",
  "requested_at": "` + at + `",` + emergency + `
  "history": [{"release": "v1.4.2", "env": "dev", "digest": "` + build1 + `", "requested_at": "2026-03-01T10:00:00Z", "promoted_at": "2026-03-01T10:00:00Z"},
              {"release": "v1.4.2", "env": "staging", "digest": "` + build1 + `", "requested_at": "2026-03-01T11:00:00Z", "promoted_at": "2026-03-01T11:00:00Z"}]}`
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		return path
	}
	inWindow := request("in", build1, "2026-03-02T10:00:00+01:00", "")
	outside := request("out", build1, "2026-03-06T22:00:00+01:00", "")
	emergency := request("emergency", build1, "2026-03-06T22:00:00+01:00",
		`"emergency": {"reason": "INC-7", "scope": "app", "approver": "dave", "rollback_plan": "redeploy v1.4.1", "follow_up": "PIR-7"},`)
	drift := request("drift", build2, "2026-03-02T10:00:00+01:00", "")
	statuses := func(t *testing.T, out string) map[string]string {
		t.Helper()
		var got struct {
			Results []struct {
				Control struct{ ID string }
				Status  string
				Reason  string
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got), out)
		m := map[string]string{}
		for _, r := range got.Results {
			m[r.Control.ID] = r.Status + ": " + r.Reason
		}
		return m
	}
	base := []string{"--repo", g.Dir, "--pr", pr, "--format", "json"}

	t.Run("record only", func(t *testing.T) {
		// A config without the record controls: giving the record enables them.
		out, errOut, code := runPolicy(t, "", append(base, "--config", config, "--record", complete)...)
		require.Equal(t, 0, code, errOut+out)
		st := statuses(t, out)
		assert.True(t, strings.HasPrefix(st["REL-RECORD-001"], "pass"), st["REL-RECORD-001"])
		assert.True(t, strings.HasPrefix(st["REL-DIGEST-001"], "not-applicable"), st["REL-DIGEST-001"])

		out, _, code = runPolicy(t, "", append(base, "--config", config, "--record", incomplete)...)
		assert.Equal(t, 1, code)
		st = statuses(t, out)
		assert.Contains(t, st["REL-RECORD-001"], "fail")
		assert.Contains(t, st["REL-RECORD-001"], "tickets")
		assert.Contains(t, st["REL-RECORD-001"], "rollback")
	})
	t.Run("promotion in the window", func(t *testing.T) {
		out, errOut, code := runPolicy(t, "", append(base, "--config", windowConfig, "--record", complete, "--promotion", inWindow)...)
		require.Equal(t, 0, code, errOut+out)
		st := statuses(t, out)
		for _, id := range []string{"REL-GATE-001", "REL-WINDOW-001", "REL-SOD-001", "REL-RECORD-001", "REL-DIGEST-001"} {
			assert.True(t, strings.HasPrefix(st[id], "pass"), id+" "+st[id])
		}
	})
	t.Run("promotion outside the window", func(t *testing.T) {
		out, _, code := runPolicy(t, "", append(base, "--config", windowConfig, "--record", complete, "--promotion", outside)...)
		assert.Equal(t, 1, code)
		assert.Contains(t, statuses(t, out)["REL-WINDOW-001"], "fail: deployment at 2026-03-06T21:00:00Z is outside every change window")

		out, errOut, code := runPolicy(t, "", append(base, "--config", windowConfig, "--record", complete, "--promotion", emergency)...)
		assert.Equal(t, 0, code, errOut+out)
		assert.Contains(t, statuses(t, out)["REL-WINDOW-001"], "pass: emergency change approved by dave")
	})
	t.Run("digest drift", func(t *testing.T) {
		out, _, code := runPolicy(t, "", append(base, "--config", windowConfig, "--record", complete, "--promotion", drift, "--format", "text")...)
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "FAIL           REL-DIGEST-001")
		assert.Contains(t, out, "ran "+build2+" in prod, but staging ran "+build1)
	})
	t.Run("bad input", func(t *testing.T) {
		badReq := filepath.Join(dir, "bad.json")
		require.NoError(t, os.WriteFile(badReq, []byte(`{"release": "v1.4.2", "env": "prod", "digest": "sha256:x"}`), 0o644))
		notRecord := filepath.Join(dir, "empty.json")
		require.NoError(t, os.WriteFile(notRecord, []byte(`{}`), 0o644))
		for _, tc := range []struct {
			name string
			args []string
			msg  string
		}{
			{"promotion without record", []string{"--promotion", inWindow}, "--promotion needs --record"},
			{"bad promotion", []string{"--record", complete, "--promotion", badReq}, "bad.json"},
			{"not a record", []string{"--record", notRecord}, "empty.json"},
			{"promotion and deployment", []string{"--record", complete, "--promotion", inWindow, "--deployment", inWindow}, "exclude"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, errOut, code := runPolicy(t, "", append(tc.args, "--config", config, "--repo", g.Dir)...)
				assert.Equal(t, 2, code, errOut)
				assert.Contains(t, errOut, tc.msg)
			})
		}
	})
}

func TestPolicyTag(t *testing.T) {
	g, _, _ := policyRepo(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	key, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	require.NoError(t, err)
	req := tagging.Request{Name: "v1.0.0", Target: plumbing.NewHash(g.Head()), Message: "Release v1.0.0",
		Tagger: tagging.Identity{Name: "Release Bot", Email: "ci@example.com", When: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)}}
	_, err = tagging.Create(context.Background(), g.GoGit(t), req, signer)
	require.NoError(t, err)
	g.Tag("v1.0.1", "HEAD")

	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed_signers")
	require.NoError(t, os.WriteFile(allowed, []byte(`ci@example.com namespaces="git" `+string(ssh.MarshalAuthorizedKey(key.PublicKey()))), 0o644))
	config := filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-TAG-001: {identities: [ci@example.com]}\n"), 0o644))

	out, errOut, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--tag", "v1.0.0", "--allowed-signers", allowed, "--now", "2026-02-01T00:00:00Z")
	assert.Equal(t, 0, code, errOut+out)
	assert.Contains(t, out, "PASS           REL-TAG-001")

	out, _, code = runPolicy(t, "", "--config", config, "--repo", g.Dir, "--tag", "v1.0.1", "--allowed-signers", allowed)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "v1.0.1 did not verify")
}

func TestPolicyHotfix(t *testing.T) {
	setup := func(t *testing.T) (*gittest.Repo, string, string) {
		g := gittest.New(t)
		g.CommitFiles("feat: app ABC-1", map[string]string{"app.txt": "one\ntwo\nthree\n"})
		g.AnnotatedTag("v1.4.1", "HEAD", "Release v1.4.1")
		g.CommitFiles("feat: more ABC-2", map[string]string{"other.txt": "x\n"})
		g.Branch("hotfix/1.4.2-ABC-987", "v1.4.1")
		g.Checkout("hotfix/1.4.2-ABC-987")
		fix := g.CommitFiles("fix: crash ABC-987", map[string]string{"app.txt": "one\nTWO\nthree\n"})
		g.Checkout("main")
		config := filepath.Join(t.TempDir(), "policy.yml")
		require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-HOTFIX-001: {}\n  REL-HOTFIX-002: {}\n"), 0o644))
		return g, fix, config
	}
	args := func(g *gittest.Repo, config string) []string {
		return []string{"--config", config, "--repo", g.Dir, "--hotfix", "hotfix/1.4.2-ABC-987", "--production-tag", "v1.4.1", "--format", "json"}
	}
	t.Run("not forward-ported", func(t *testing.T) {
		g, fix, config := setup(t)
		out, _, code := runPolicy(t, "", args(g, config)...)
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "not on main ("+fix+")")
	})
	t.Run("cherry-picked", func(t *testing.T) {
		g, _, config := setup(t)
		g.CherryPick("hotfix/1.4.2-ABC-987")
		out, _, code := runPolicy(t, "", args(g, config)...)
		assert.Equal(t, 0, code, out)
		assert.Contains(t, out, "cherry-picked as")
	})
	t.Run("same patch by hand", func(t *testing.T) {
		g, _, config := setup(t)
		g.CommitFiles("fix: crash on main ABC-987", map[string]string{"app.txt": "one\nTWO\nthree\n"})
		out, _, code := runPolicy(t, "", args(g, config)...)
		assert.Equal(t, 0, code, out)
		assert.Contains(t, out, "same patch as")
	})
	t.Run("deployment", func(t *testing.T) {
		g, _, _ := setup(t)
		dir := t.TempDir()
		config := filepath.Join(dir, "policy.yml")
		require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-WINDOW-001:\n    windows: [{days: [mon], start: '09:00', end: '16:00', zone: Europe/Berlin}]\n"), 0o644))
		dep := filepath.Join(dir, "deploy.json")
		require.NoError(t, os.WriteFile(dep, []byte(`{"environment": "production", "at": "2026-03-02T08:30:00Z"}`), 0o644))
		_, _, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--deployment", dep)
		assert.Equal(t, 0, code)
		require.NoError(t, os.WriteFile(dep, []byte(`{"environment": "production", "at": "2026-03-02T18:30:00Z"}`), 0o644))
		out, _, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--deployment", dep)
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "outside every change window")
		require.NoError(t, os.WriteFile(dep, []byte(`{"environment": "production", "when": "x"}`), 0o644))
		_, _, code = runPolicy(t, "", "--config", config, "--repo", g.Dir, "--deployment", dep)
		assert.Equal(t, 2, code)
	})
}

// TestPatchIDMatchesGit compares the patch IDs relctl computes from go-git
// diffs with `git patch-id --stable`.
func TestPatchIDMatchesGit(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat: files ABC-1", map[string]string{"a.txt": "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "b/c.txt": "x\n"})
	g.CommitFiles("fix: edit two files ABC-2", map[string]string{"a.txt": "1\n2\nthree\n4\n5\n6\n7\neight\n9\n", "b/c.txt": "y\n\tz\n"})
	g.CommitFiles("fix: add and delete ABC-3", map[string]string{"new.txt": "new\n", "b/c.txt": ""})
	for _, rev := range []string{"HEAD~1", "HEAD"} {
		cmd := exec.Command("git", "patch-id", "--stable")
		cmd.Dir, cmd.Env = g.Dir, g.Env()
		cmd.Stdin = strings.NewReader(g.Git("show", rev))
		out, err := cmd.Output()
		require.NoError(t, err)
		want, _, _ := strings.Cut(string(out), " ")
		got, err := patchID(g.GoGit(t), plumbing.NewHash(g.RevParse(rev)))
		require.NoError(t, err)
		assert.Equal(t, want, got, rev)
	}
}

func TestPolicyReleaseBranch(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: base ABC-1")
	g.Branch("release/1.4", "")
	g.Checkout("release/1.4")
	g.Commit("fix: stabilise ABC-2")
	cutoff := g.Clock().Format(time.RFC3339)
	g.Tick()
	g.Commit("fix: more ABC-3")
	config := filepath.Join(t.TempDir(), "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-RELBRANCH-001: {}\n"), 0o644))
	args := []string{"--config", config, "--repo", g.Dir, "--release-branch", "release/1.4", "--cutoff", cutoff}
	out, _, code := runPolicy(t, "", args...)
	assert.Equal(t, 0, code, out)
	late := g.Commit("feat: too late ABC-4")
	out, _, code = runPolicy(t, "", args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, late[:12])
	_, _, code = runPolicy(t, "", "--repo", g.Dir, "--release-branch", "release/1.4")
	assert.Equal(t, 2, code)
}

func TestPolicyAdvisory(t *testing.T) {
	g, _, _ := policyRepo(t)
	config := filepath.Join(t.TempDir(), "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte("advisory: true\ncontrols: {REL-SOD-001: {}}\n"), 0o644))
	out, errOut, code := runPolicy(t, "", "--config", config, "--repo", g.Dir)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "advisory policy: not enforced")
	assert.Contains(t, errOut, "not enforced")
}

func TestPolicyArtifact(t *testing.T) {
	g, _, _ := policyRepo(t)
	dir := t.TempDir()
	art := filepath.Join(dir, "app.tar.gz")
	require.NoError(t, os.WriteFile(art, []byte("app v1"), 0o644))
	subj, err := sbom.SubjectOf("app.tar.gz", strings.NewReader("app v1"))
	require.NoError(t, err)
	doc, err := sbom.ForArtifact(subj)
	require.NoError(t, err)
	bom, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	bomFile := filepath.Join(dir, "app.cdx.json")
	require.NoError(t, os.WriteFile(bomFile, bom, 0o644))
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer, err := signature.NewKeySigner(priv)
	require.NoError(t, err)
	prov, err := sbom.SignProvenance(context.Background(), []sbom.Subject{subj},
		sbom.Provenance{BuildType: sbom.GitHubActionsBuildType, BuilderID: "https://github.com/actions/runner"}, signer)
	require.NoError(t, err)
	provFile := filepath.Join(dir, "app.intoto.json")
	require.NoError(t, os.WriteFile(provFile, prov, 0o644))
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	config := filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-SBOM-001:\n    provenance_keys: ["+strconv.Quote(key)+"]\n"), 0o644))

	args := []string{"--config", config, "--repo", g.Dir, "--artifact", art, "--sbom", bomFile, "--provenance", provFile}
	out, errOut, code := runPolicy(t, "", args...)
	assert.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "sha256:"+subj.SHA256)

	require.NoError(t, os.WriteFile(art, []byte("app v1, tampered"), 0o644))
	out, _, code = runPolicy(t, "", args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "SBOM: ")
	assert.Contains(t, out, "provenance: ")

	_, _, code = runPolicy(t, "", "--config", config, "--repo", g.Dir, "--sbom", bomFile)
	assert.Equal(t, 2, code)
}

// TestPolicyGateFacts: the check results, bypass records and branch
// protection given by --checks, --bypasses and --protection, and the
// reviews of --pr, reach REL-CHECKS-001, REL-BYPASS-001, REL-PROTECT-001 and
// REL-REVIEW-001.
func TestPolicyGateFacts(t *testing.T) {
	g := gittest.New(t)
	head := g.Commit("feat: greet ABC-2")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	config := write("policy.yml", "controls:\n  REL-CHECKS-001: {merge: [test, sast]}\n  REL-BYPASS-001: {max_lifetime: 14d}\n  REL-PROTECT-001:\n  REL-REVIEW-001:\n")
	pr := write("pr.json", `{"number": 7, "author": "alice", "base": "main", "head_sha": "`+head+`",
	  "reviews": [{"user": "bob", "state": "APPROVED", "commit_id": "`+head+`", "can_approve": true}, {"user": "carol", "state": "APPROVED", "commit_id": "`+head+`", "can_approve": true}]}`)
	checks := write("checks.json", `[{"name": "unit", "kind": "test", "passed": true, "commit": "`+head+`"},
	  {"name": "semgrep", "kind": "sast", "passed": false, "commit": "`+head+`", "findings": {"high": 1}}]`)
	bypasses := write("bypasses.json", `[{"id": "BYP-1", "kind": "bypass", "check": "sast", "scope": "branch:main", "ticket": "SEC-4",
	  "approver": "carol", "requester": "alice", "rationale": "scanner outage", "remediation_plan": "re-run in SEC-4",
	  "expires": "2026-03-10T00:00:00Z", "security": true}]`)
	rule := func(branch string) string {
		return `{"branch": "` + branch + `", "require_pull_request": true, "enforce_admins": true,
	  "required_approving_review_count": 2, "require_code_owner_reviews": false, "dismiss_stale_reviews": true,
	  "required_status_checks": ["test", "sast"], "required_signatures": false, "allow_force_pushes": false, "allow_deletions": false}`
	}
	protection := write("protection.json", `[`+rule("main")+`, `+rule("release/*")+`, `+rule("hotfix/*")+`]`)
	args := []string{"--config", config, "--repo", g.Dir, "--pr", pr, "--checks", checks, "--bypasses", bypasses, "--protection", protection,
		"--now", "2026-03-01T00:00:00Z", "--format", "json"}
	out, errOut, code := runPolicy(t, "", args...)
	require.Equal(t, 0, code, errOut+out)
	var got struct {
		Results []struct {
			Control struct{ ID string }
			Status  string
			Reason  string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	status := map[string]string{}
	for _, r := range got.Results {
		status[r.Control.ID] = r.Status
	}
	assert.Equal(t, map[string]string{"REL-CHECKS-001": "pass", "REL-BYPASS-001": "pass", "REL-PROTECT-001": "pass", "REL-REVIEW-001": "pass"}, status)
	assert.Contains(t, out, "BYP-1")

	// Past its expiry the bypass covers nothing: both controls fail.
	args[len(args)-3] = "2026-03-11T00:00:00Z"
	out, _, code = runPolicy(t, "", args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "expired on")
	assert.Contains(t, out, "sast (semgrep: failed)")
}

func TestPolicyGateFactsBadInput(t *testing.T) {
	g, config, pr := policyRepo(t)
	dir := t.TempDir()
	for _, tc := range []struct{ flag, body, msg string }{
		{"--checks", `[{"name": "unit", "passed": true, "verdict": "ok"}]`, "unknown field"},
		{"--checks", `{"name": "unit"}`, "parse checks"},
		{"--bypasses", `[{"id": "BYP-1", "id": "BYP-2"}]`, "duplicate key"},
		{"--bypasses", `null`, "want a list"},
		{"--protection", `[{"branch": "main"}]`, "missing require_pull_request"},
		{"--protection", `[] trailing`, "parse branch protection"},
		{"--pr", `{"number": 7, "reviews": [{"user": "bob", "state": "LGTM"}]}`, `state "LGTM"`},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			file := filepath.Join(dir, "in.json")
			require.NoError(t, os.WriteFile(file, []byte(tc.body), 0o644))
			args := []string{"--config", config, "--repo", g.Dir, "--pr", pr, tc.flag, file}
			_, errOut, code := runPolicy(t, "", args...)
			assert.Equal(t, 2, code, errOut)
			assert.Contains(t, errOut, tc.flag)
			assert.Contains(t, errOut, tc.msg)
		})
	}
	_, errOut, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--checks", filepath.Join(dir, "absent.json"))
	assert.Equal(t, 2, code, errOut)
}

// TestPolicyBackport: a pull request into release/* is a backport, and
// relctl gathers main's commits for REL-BACKPORT-001.
func TestPolicyBackport(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: base ABC-1")
	g.Branch("release/1.2", "")
	fix := g.CommitFiles("fix: timeout ABC-2", map[string]string{"a.txt": "fixed\n"})
	g.Checkout("release/1.2")
	g.CherryPick(fix)
	dir := t.TempDir()
	config := filepath.Join(dir, "policy.yml")
	require.NoError(t, os.WriteFile(config, []byte("controls:\n  REL-BACKPORT-001: {}\n"), 0o644))
	pr := filepath.Join(dir, "pr.json")
	require.NoError(t, os.WriteFile(pr, []byte(`{"number": 9, "author": "alice", "base": "release/1.2", "labels": ["backport", "backport:1.2"]}`), 0o644))
	out, errOut, code := runPolicy(t, "", "--config", config, "--repo", g.Dir, "--range", "main..release/1.2", "--pr", pr)
	require.Equal(t, 0, code, errOut+out)
	assert.Contains(t, out, "cherry-picked from "+fix+" on main")
}
