package policy_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// gateReport is the report of gatePolicy deciding a production promotion
// inside the window.
func gateReport(tb testing.TB) policy.Report {
	tb.Helper()
	rec, err := manifest.ParseRecord([]byte(recordJSON("v1.4.2")))
	require.NoError(tb, err)
	g := policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}
	p := manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol", RequestedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)}
	return g.Evaluate(context.Background(), manifest.GateInput{Record: rec, Promotion: p})
}

// reports are reports ReadReport must read back: every status, evidence,
// waivers, an advisory and an empty report.
func reports(tb testing.TB) map[string]policy.Report {
	advisory := sampleReport()
	advisory.Advisory = true
	return map[string]policy.Report{
		"every status": sampleReport(),
		"advisory":     advisory,
		"gate":         gateReport(tb),
		"empty":        {},
		"hand-written": {Results: []policy.Result{{
			Control:  policy.Meta{ID: "X-1", Title: "<b>&\u2028", Criteria: []string{}},
			Status:   policy.Pass,
			Evidence: []policy.Evidence{{Kind: "field", Value: "\x00\"", Note: "ünïcode"}},
		}}},
	}
}

func writeJSON(t testing.TB, r policy.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	return b.Bytes()
}

func TestReadReportRoundTrip(t *testing.T) {
	for name, rep := range reports(t) {
		t.Run(name, func(t *testing.T) {
			b := writeJSON(t, rep)
			got, err := policy.ReadReport(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, string(b), string(writeJSON(t, got)))

			// The report read is the one written, but for Result.Err,
			// which is not part of the JSON form.
			want := rep
			want.Results = nil
			for _, res := range rep.Results {
				res.Err = nil
				if len(res.Evidence) == 0 {
					res.Evidence = nil
				}
				want.Results = append(want.Results, res)
			}
			assert.Equal(t, want, got)
			assert.Equal(t, rep.Counts(), got.Counts())
			if err := rep.Err(); err != nil {
				assert.EqualError(t, got.Err(), err.Error())
			} else {
				assert.NoError(t, got.Err())
			}
		})
	}
}

func TestWriteJSONLeavesReportAlone(t *testing.T) {
	rep := policy.Report{Results: []policy.Result{{Control: policy.Meta{ID: "X-1"}, Status: policy.Pass}}}
	writeJSON(t, rep)
	assert.Nil(t, rep.Results[0].Evidence)
}

func TestReadReportStrict(t *testing.T) {
	good := string(writeJSON(t, sampleReport()))
	pass := `{"allowed": true, "advisory": false, "results": [{"control": {"id": "X-1", "title": "", "section": "", "criteria": null, "severity": "high"}, "status": "pass", "reason": "", "evidence": []}]}`
	require.Contains(t, good, `"status": "waived"`)
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"null", "null"},
		{"array", "[]"},
		{"not JSON", "allowed"},
		{"trailing data", pass + "{}"},
		{"trailing garbage", pass + " x"},
		{"unknown field", strings.Replace(pass, `"advisory"`, `"verdict": "allow", "advisory"`, 1)},
		{"unknown result field", strings.Replace(pass, `"status"`, `"waived_by": "me", "status"`, 1)},
		{"duplicate key", strings.Replace(pass, `"status": "pass"`, `"status": "fail", "status": "pass"`, 1)},
		{"duplicate key in case", strings.Replace(pass, `"status": "pass"`, `"Status": "fail", "status": "pass"`, 1)},
		{"duplicate key in long s", strings.Replace(pass, `"status": "pass"`, `"ſtatus": "fail", "status": "pass"`, 1)},
		{"duplicate top-level key", strings.Replace(pass, `"allowed": true`, `"allowed": true, "allowed": true`, 1)},
		{"unknown status", strings.Replace(pass, `"status": "pass"`, `"status": "ok"`, 1)},
		{"empty status", strings.Replace(pass, `"status": "pass"`, `"status": ""`, 1)},
		{"null result", `{"allowed": false, "advisory": false, "error": "policy: controls failed: : failed", "results": [null]}`},
		{"allowed but failed", strings.Replace(pass, `"status": "pass"`, `"status": "fail"`, 1)},
		{"denied but passed", strings.Replace(pass, `"allowed": true`, `"allowed": false`, 1)},
		{"error text forged", strings.Replace(good, `"error": "policy: controls failed: REL-PIPE-001`, `"error": "policy: controls failed: REL-OTHER-001`, 1)},
		{"waived without exception", strings.Replace(pass, `"status": "pass"`, `"status": "waived"`, 1)},
		{"exception on a pass", strings.Replace(pass, `"evidence": []`, `"evidence": [], "waiver": {"id": "EXC-1"}`, 1)},
		{"no results but allowed", `{"allowed": true, "advisory": false, "results": []}`},
		{"wrong type", strings.Replace(pass, `"allowed": true`, `"allowed": "yes"`, 1)},
		{"too large", `{"allowed": true, "advisory": false, "error": "` + strings.Repeat("a", 16<<20) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ReadReport(strings.NewReader(tc.in))
			assert.ErrorIs(t, err, &policy.ReportError{Reason: "invalid report"})
		})
	}
	_, err := policy.ReadReport(strings.NewReader(pass))
	require.NoError(t, err, "the base case is valid")
	_, err = policy.ReadReport(strings.NewReader(`{"allowed": false, "advisory": false, "error": "policy: no controls", "results": []}`))
	require.NoError(t, err, "an empty report denies")

	_, err = policy.ReadReport(iotest.ErrReader(errors.New("disk on fire")))
	assert.ErrorContains(t, err, "disk on fire")
	assert.NotErrorIs(t, err, &policy.ReportError{Reason: "invalid report"})
}

func FuzzReadReport(f *testing.F) {
	for _, rep := range reports(f) {
		f.Add(writeJSON(f, rep))
	}
	f.Add([]byte(`{"allowed": false, "advisory": false, "error": "policy: no controls"}`))
	f.Add([]byte(`{"allowed": true, "advisory": false, "results": [{"control": {"id": "X"}, "status": "pass"}]} `))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep, err := policy.ReadReport(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, &policy.ReportError{Reason: "invalid report"}) {
				t.Fatalf("error %v is not an invalid-report ReportError", err)
			}
			return
		}
		var b bytes.Buffer
		if err := rep.WriteJSON(&b); err != nil {
			return // a date past year 9999 reads but does not write
		}
		again, err := policy.ReadReport(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("ReadReport of WriteJSON output %s: %v", b.Bytes(), err)
		}
		var b2 bytes.Buffer
		if err := again.WriteJSON(&b2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), b2.Bytes()) {
			t.Fatalf("round trip changed\n%s\nto\n%s", b.Bytes(), b2.Bytes())
		}
	})
}

func TestGateAllowEvidence(t *testing.T) {
	ctx := context.Background()
	g := policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}
	var _ manifest.EvidenceGate = g
	rec := completeRecord(t, "v1.4.2")
	for name, tc := range map[string]struct {
		at      time.Time
		refused bool
	}{
		"inside the window":  {at: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)},
		"outside the window": {at: time.Date(2026, 3, 6, 22, 0, 0, 0, berlin), refused: true},
	} {
		t.Run(name, func(t *testing.T) {
			in := manifest.GateInput{Record: rec, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol", RequestedAt: tc.at}}
			w, ev, err := g.AllowEvidence(ctx, in)
			w2, err2 := g.Allow(ctx, in)
			assert.Equal(t, w2, w, "the same decision as Allow")
			assert.Equal(t, err2, err)
			require.NotEmpty(t, ev, "the report comes with a refusal too")
			assert.Equal(t, string(writeJSON(t, g.Evaluate(ctx, in))), string(ev))
			rep, rerr := policy.ReadReport(bytes.NewReader(ev))
			require.NoError(t, rerr)
			assert.Equal(t, "REL-GATE-001", rep.Results[0].Control.ID)
			if tc.refused {
				var de *policy.DeniedError
				require.ErrorAs(t, err, &de)
				assert.ErrorIs(t, rep.Err(), &policy.ReportError{Reason: "controls failed"})
				assert.Equal(t, de.Report.Err().Error(), rep.Err().Error())
			} else {
				require.NoError(t, err)
				assert.Equal(t, "Mon,Tue,Wed,Thu 09:00-16:00 Europe/Berlin", w)
				assert.NoError(t, rep.Err())
			}
		})
	}
}

// TestGateEvidenceLogged promotes through the gate on a DirStore and a
// GitStore: each promotion logs the digest of the report the gate decided
// on, and the store returns that report.
func TestGateEvidenceLogged(t *testing.T) {
	ctx := context.Background()
	for _, git := range []bool{false, true} {
		name := "DirStore"
		if git {
			name = "GitStore"
		}
		t.Run(name, func(t *testing.T) {
			g := policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}
			st := stagedStore(t, git, g)
			at := manifest.WithClock(fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)))
			_, err := promote(ctx, st, prodRequest(), manifest.WithGate(g), at)
			require.NoError(t, err)
			es, ok := st.(manifest.EvidenceStore)
			require.True(t, ok)
			entries, err := manifest.VerifyStore(ctx, st, nil)
			require.NoError(t, err)
			require.Len(t, entries, 3)
			for _, e := range entries {
				p := e.Promotion
				require.NoError(t, manifest.ValidateDigest(p.Gate), p.Env)
				b, err := es.Evidence(ctx, p.Gate)
				require.NoError(t, err, p.Env)
				rep, err := policy.ReadReport(bytes.NewReader(b))
				require.NoError(t, err, p.Env)
				assert.NoError(t, rep.Err(), p.Env)
				assert.Equal(t, policy.Pass, rep.Results[0].Status, "REL-GATE-001 bound the decision")
			}
		})
	}
}

// TestGateEvidenceUnencodable: a report that cannot be written refuses a
// promotion made through AllowEvidence, which must log its evidence.
func TestGateEvidenceUnencodable(t *testing.T) {
	ctx := context.Background()
	ex := validException()
	ex.Controls = []string{"REL-SOD-001"}
	// A permanent exception reviewed in the year 10000 (at most
	// MaxReviewInterval after a request made then) cannot be written as
	// RFC 3339.
	ex.Type, ex.Expires, ex.Review = "permanent", time.Time{}, time.Date(10000, 3, 1, 0, 0, 0, 0, time.UTC)
	p := gatePolicy()
	p.Exceptions = []policy.Exception{ex}
	g := policy.Gate{Policy: p, Facts: gateFacts()}
	in := manifest.GateInput{Record: completeRecord(t, "v1.4.2"), Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1,
		Approver: "bob", RequestedAt: time.Date(10000, 1, 3, 10, 0, 0, 0, berlin)}} // bob reviewed the code: waived
	_, err := g.Allow(ctx, in)
	require.NoError(t, err)
	_, ev, err := g.AllowEvidence(ctx, in)
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "invalid report"})
	assert.Nil(t, ev)
}
