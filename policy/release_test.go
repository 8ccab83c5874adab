package policy_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// build1 and build2 are two builds of the same source: a rebuild has
// another digest.
var (
	build1 = manifest.Digest([]byte("app binary, build run-1\n"))
	build2 = manifest.Digest([]byte("app binary, build run-2\n"))
	worker = manifest.Digest([]byte("worker binary, build run-1\n"))
)

// recordJSON is a complete release record in manifest's JSON form.
func recordJSON(tag string) string {
	return `{
  "version": 1,
  "tag": "` + tag + `",
  "commit": "` + strings.Repeat("1", 40) + `",
  "tickets": ["CHG-1234"],
  "prs": [{"ref": "#42"}],
  "artifacts": [{"name": "app", "uri": "registry.example.com/app", "digest": "` + build1 + `"},
                {"name": "worker", "digest": "` + worker + `"}],
  "provenance": {"build_id": "run-1", "ref": "att://run-1"},
  "sbom": {"ref": "sbom.cdx.json", "digest": "` + manifest.Digest([]byte("sbom")) + `"},
  "checks": [{"name": "unit", "passed": true}],
  "rollback": {"method": "redeploy previous digest", "version": "v1.4.1"},
  "known_issues": [],
  "production_window": {"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T11:00:00Z"}
}`
}

// completeRecord parses recordJSON as a caller reads a record file.
func completeRecord(t *testing.T, tag string) manifest.Record {
	t.Helper()
	r, err := manifest.ParseRecord([]byte(recordJSON(tag)))
	require.NoError(t, err)
	require.NoError(t, manifest.Check(r).Err())
	return r
}

func TestRecordComplete(t *testing.T) {
	rec := completeRecord(t, "v1.4.2")
	res := eval(t, policy.RecordComplete{}, policy.Facts{Record: &rec})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Contains(t, res.Evidence, policy.Evidence{Kind: "digest", Value: build1, Note: "app"})

	t.Run("missing fields are the evidence", func(t *testing.T) {
		inc := rec
		inc.Tickets = nil
		inc.Rollback = manifest.RollbackPlan{}
		inc.KnownIssues = nil
		res := eval(t, policy.RecordComplete{}, policy.Facts{Record: &inc})
		assert.Equal(t, policy.Fail, res.Status)
		var fields []string
		for _, e := range res.Evidence {
			assert.Equal(t, "field", e.Kind)
			assert.NotEmpty(t, e.Note)
			fields = append(fields, e.Value)
		}
		want := manifest.Check(inc).Problems
		require.Len(t, fields, len(want))
		for _, p := range want {
			assert.Contains(t, fields, p.Field)
			assert.Contains(t, res.Reason, p.Field)
		}
		assert.Contains(t, strings.Join(fields, " "), "tickets")
		assert.Contains(t, strings.Join(fields, " "), "known_issues")
	})
	t.Run("empty record", func(t *testing.T) {
		res := eval(t, policy.RecordComplete{}, policy.Facts{Record: &manifest.Record{}})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Len(t, res.Evidence, len(manifest.Check(manifest.Record{}).Problems))
	})
	t.Run("no record", func(t *testing.T) {
		res := eval(t, policy.RecordComplete{}, policy.Facts{})
		assert.Equal(t, policy.NotApplicable, res.Status)
	})
}

// promotions returns the promotions of a verified store log.
func promotions(t *testing.T, st manifest.Log) []manifest.Promotion {
	t.Helper()
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	out := []manifest.Promotion{}
	for _, e := range entries {
		if e.Kind == manifest.KindPromotion {
			out = append(out, *e.Promotion)
		}
	}
	return out
}

// fixedClock returns a clock that reads at, then one minute later on each call.
func fixedClock(at time.Time) func() time.Time {
	return func() time.Time {
		now := at
		at = at.Add(time.Minute)
		return now
	}
}

func TestSameDigest(t *testing.T) {
	ctx := context.Background()
	rec := completeRecord(t, "v1.4.2")
	newStore := func(t *testing.T) *manifest.DirStore {
		st, err := manifest.NewDirStore(t.TempDir())
		require.NoError(t, err)
		require.NoError(t, st.PutRecord(ctx, rec))
		return st
	}
	clock := manifest.WithClock(fixedClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))

	t.Run("promoted by manifest.Promote", func(t *testing.T) {
		st := newStore(t)
		for _, env := range []string{"dev", "staging"} {
			for _, d := range []string{build1, worker} {
				_, err := promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: env, Digest: d}, clock)
				require.NoError(t, err)
			}
		}
		_, err := promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol", Reason: "CHG-1234"}, clock)
		require.NoError(t, err)
		res := eval(t, policy.SameDigest{}, policy.Facts{Record: &rec, Promotions: promotions(t, st)})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
		assert.Len(t, res.Evidence, 5)

		// The log copied into the record serves as well.
		withLog := rec
		withLog.Promotions = promotions(t, st)
		res = eval(t, policy.SameDigest{}, policy.Facts{Record: &withLog})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)

		// The request is checked with the log: the worker may follow to prod.
		res = eval(t, policy.SameDigest{}, policy.Facts{Record: &rec, Promotions: promotions(t, st),
			Promotion: &manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: worker}})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
	})

	t.Run("rebuild between environments", func(t *testing.T) {
		// A log written by a tool that did not check: staging ran a rebuild.
		st := newStore(t)
		for _, p := range []manifest.Promotion{
			{Release: "v1.4.2", Env: "dev", Digest: build1},
			{Release: "v1.4.2", Env: "staging", Digest: build2},
		} {
			_, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindPromotion, Promotion: &p})
			require.NoError(t, err)
		}
		log := promotions(t, st)
		res := eval(t, policy.SameDigest{}, policy.Facts{Promotions: log})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, build1)
		assert.Contains(t, res.Reason, build2)
		assert.Contains(t, res.Reason, "staging")

		// With the record, the rebuild is also not a recorded artifact.
		res = eval(t, policy.SameDigest{}, policy.Facts{Record: &rec, Promotions: log})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, "release record has")
	})

	t.Run("request drifts from the log", func(t *testing.T) {
		st := newStore(t)
		for _, env := range []string{"dev", "staging"} {
			_, err := promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: env, Digest: build1}, clock)
			require.NoError(t, err)
		}
		res := eval(t, policy.SameDigest{}, policy.Facts{Promotions: promotions(t, st),
			Promotion: &manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build2}})
		assert.Equal(t, policy.Fail, res.Status)
		assert.Contains(t, res.Reason, "prod, but staging ran "+build1)
	})

	t.Run("other releases are not mixed in", func(t *testing.T) {
		log := []manifest.Promotion{
			{Release: "v1.4.1", Env: "dev", Digest: build2},
			{Release: "v1.4.2", Env: "dev", Digest: build1},
			{Release: "v1.4.2", Env: "staging", Digest: build1},
			{Release: "v1.4.1", Env: "staging", Digest: build2},
		}
		res := eval(t, policy.SameDigest{}, policy.Facts{Promotions: log})
		assert.Equal(t, policy.Pass, res.Status, res.Reason)
	})

	t.Run("not promoted", func(t *testing.T) {
		res := eval(t, policy.SameDigest{}, policy.Facts{Record: &rec})
		assert.Equal(t, policy.NotApplicable, res.Status)
		res = eval(t, policy.SameDigest{}, policy.Facts{})
		assert.Equal(t, policy.NotApplicable, res.Status)
	})
}

func TestParsePromotionRequest(t *testing.T) {
	good := `{"release": "v1.4.2", "env": "prod", "digest": "` + build1 + `", "approver": "carol", "reason": "CHG-1234",
  "requested_at": "2026-03-02T10:00:00+01:00",
  "history": [{"release": "v1.4.2", "env": "staging", "digest": "` + build1 + `", "requested_at": "2026-03-01T10:00:00Z", "promoted_at": "2026-03-01T10:00:00Z"}]}`
	req, err := policy.ReadPromotionRequest(strings.NewReader(good))
	require.NoError(t, err)
	assert.Equal(t, "prod", req.Env)
	require.Len(t, req.History, 1)
	in := req.Input(completeRecord(t, "v1.4.2"), time.Time{})
	assert.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), in.Promotion.RequestedAt)
	assert.Equal(t, build1, in.Promotion.Digest)

	noTime, err := policy.ReadPromotionRequest(strings.NewReader(`{"release": "v1", "env": "dev", "digest": "` + build1 + `"}`))
	require.NoError(t, err)
	now := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, now, noTime.Input(manifest.Record{}, now).Promotion.RequestedAt)

	for name, in := range map[string]string{
		"unknown field": `{"release": "v1", "env": "dev", "digest": "` + build1 + `", "approvr": "x"}`,
		"no env":        `{"release": "v1", "digest": "` + build1 + `"}`,
		"bad digest":    `{"release": "v1", "env": "dev", "digest": "sha256:ABC"}`,
		"trailing":      `{"release": "v1", "env": "dev", "digest": "` + build1 + `"} {}`,
		"not json":      `release: v1`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.ReadPromotionRequest(strings.NewReader(in))
			assert.Error(t, err)
		})
	}
}

// TestDocListsControls keeps doc.go's control list in step with the
// controls' Meta.
func TestDocListsControls(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, c := range policy.Builtin() {
		m := c.Meta()
		line := fmt.Sprintf("//   - %s [%s]: %s; SOC 2 %s\n", m.ID, reflect.TypeOf(c).Name(), m.Section, strings.Join(m.Criteria, ", "))
		assert.Contains(t, string(doc), line)
		for _, cc := range m.Criteria {
			assert.Regexp(t, `^CC[6-9]\.[0-9]$`, cc, m.ID)
		}
	}
}

// TestSARIFDigestIsNotAPath: a digest in the evidence is not taken for a
// file location.
func TestSARIFDigestIsNotAPath(t *testing.T) {
	r := policy.Evaluate(context.Background(), policy.Policy{Controls: []policy.Control{policy.SameDigest{}}},
		policy.Facts{Promotions: []manifest.Promotion{{Release: "v1", Env: "dev", Digest: build1}, {Release: "v1", Env: "prod", Digest: build2}}})
	require.Equal(t, policy.Fail, r.Results[0].Status)
	var b strings.Builder
	require.NoError(t, r.WriteSARIF(&b, "release-policy.yml"))
	assert.Contains(t, b.String(), `"uri": "release-policy.yml"`)
	assert.NotContains(t, b.String(), `"uri": "sha256"`)
}
