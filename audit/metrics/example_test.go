package metrics_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/manifest"
)

// exampleHistory is a small history built by hand: three releases of one
// service in the first week of March 2026, the second rolled back after its
// deployment failed, and a promotion refused by a control.
func exampleHistory() *metrics.History {
	day := func(d, h int) time.Time { return time.Date(2026, time.March, d, h, 0, 0, 0, time.UTC) }
	promote := func(seq uint64, release string, at time.Time, rollbackFrom string) manifest.Entry {
		return manifest.Entry{Seq: seq, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
			Release: release, Env: "prod", Digest: "sha256:" + strings.Repeat(fmt.Sprint(seq), 64),
			Approver: "carol@example.com", Reason: "CHG-1 approved", RequestedAt: at, PromotedAt: at,
			RollbackFrom: rollbackFrom,
		}}
	}
	deployed := func(seq uint64, release string, at time.Time, errText string) manifest.Entry {
		result := manifest.ResultSucceeded
		if errText != "" {
			result = manifest.ResultFailed
		}
		return manifest.Entry{Seq: seq, Kind: manifest.KindDeployment, Deploy: &manifest.Deployment{
			Release: release, Env: "prod", Result: result, Error: errText, Targets: []string{"web-1", "web-2"}, At: at,
		}}
	}
	release := func(tag string, firstCommit time.Time) metrics.HistoryRelease {
		ok := metrics.HealthItem{State: audit.Verified}
		return metrics.HistoryRelease{Tag: tag, Component: "shop", Commits: 2, FirstCommit: "c0ffee", FirstCommitAt: firstCommit,
			SignedTag: ok, SBOM: ok, Provenance: ok, Complete: ok,
			Record: &manifest.Record{Tag: tag, Checks: []manifest.CheckResult{{Name: "unit", Passed: true}}}}
	}
	return &metrics.History{
		Production: "prod",
		Log:        metrics.HealthItem{State: audit.Verified},
		Entries: []manifest.Entry{
			promote(1, "v1.0.0", day(2, 10), ""), // lead 2-00:00 → 2-10:00 = 10h
			deployed(2, "v1.0.0", day(2, 11), ""),
			promote(3, "v1.1.0", day(4, 10), ""), // lead 3-10:00 → 4-10:00 = 24h
			deployed(4, "v1.1.0", day(4, 11), "web-2: health check failed"),
			promote(5, "v1.0.0", day(4, 13), "v1.1.0"), // rollback: v1.1.0 failed, restored in 3h
			deployed(6, "v1.0.0", day(4, 14), ""),
			{Seq: 7, Kind: manifest.KindDenied, Denial: &manifest.Denial{
				Action: "promote", Release: "v1.1.1", Env: "prod", Actor: &manifest.Actor{Name: "bob@example.com"},
				Refusal: "policy: REL-SOD-001 failed: the approver approved the pull request", Controls: []string{"REL-SOD-001"}, At: day(5, 9),
			}},
			promote(8, "v1.1.1", day(5, 10), ""), // lead 5-06:00 → 5-10:00 = 4h
			deployed(9, "v1.1.1", day(5, 11), ""),
		},
		Releases: []metrics.HistoryRelease{
			release("v1.0.0", day(2, 0)), release("v1.1.0", day(3, 10)), release("v1.1.1", day(5, 6)),
		},
	}
}

// ExampleCompute computes the delivery metrics of a week.
func ExampleCompute() {
	since := time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC)
	m := metrics.Compute(exampleHistory(), since, since.AddDate(0, 0, 7), nil)
	o := m.Overall
	// Lead times 4h, 10h, 24h: the median is rank ceil(0.5×3) = 2.
	fmt.Println("lead time median:", o.LeadTime.Median, "p90:", o.LeadTime.P90)
	fmt.Printf("deployments: %d (%.1f per week)\n", o.Deployments.Count, o.Deployments.PerWeek())
	fmt.Printf("change failure rate: %d of %d\n", o.ChangeFailure.Num, o.ChangeFailure.Den)
	fmt.Println("time to restore:", o.Restore.Median, "from seqs", o.Restore.Samples[0].Seqs)
	fmt.Printf("deployment success rate: %d of %d\n", o.DeploymentOutcomes.Num, o.DeploymentOutcomes.Den)
	fmt.Println("deploy agent results known:", o.DeployResults.Known())
	fmt.Printf("refused attempts: %d, in %s by %s\n", o.Refused.Count, o.Refused.Envs[0].Env, o.Refused.Envs[0].Controls[0].Control)
	// Output:
	// lead time median: 10h0m0s p90: 24h0m0s
	// deployments: 3 (3.0 per week)
	// change failure rate: 1 of 3
	// time to restore: 3h0m0s from seqs [3 5]
	// deployment success rate: 3 of 4
	// deploy agent results known: false
	// refused attempts: 1, in prod by REL-SOD-001
}

// ExampleBuildReport writes the headline figures of a health report as
// Markdown; WriteHTML and WriteJSON write the same report.
func ExampleBuildReport() {
	since := time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC)
	generated := time.Date(2026, time.March, 9, 6, 0, 0, 0, time.UTC)
	rep := metrics.BuildReport(exampleHistory(), since, since.AddDate(0, 0, 7), nil, generated)
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	s := md.String()
	fmt.Print(s[strings.Index(s, "## Headline figures"):strings.Index(s, "## Per component")])
	// Output:
	// ## Headline figures
	//
	// | Metric | Value | Basis |
	// |---|---|---|
	// | Lead time for changes | 10h 0m | median; p90 1d 0h; 3 releases first deployed |
	// | Deployment frequency | 3.00 / week | 3 production deployments in 7.0 days (0.43 / day) |
	// | Change failure rate | 33.3% | 1 of 3 production deployments |
	// | Time to restore | 3h 0m | median; mean 3h 0m; p90 3h 0m; 1 restoration |
	// | Release checks passed | 100.0% | 3 of 3 recorded checks |
	// | Deployment success rate | 75.0% | 3 of 4 deployment attempts (1 failed, 0 with no outcome) |
	// | Deploy agent results succeeded | no data | no deploy results |
	// | Gate controls passed | no data | no gate control results |
	// | Refused attempts | 1 | prod: 1 (REL-SOD-001 1) |
	// | Releases with complete evidence | 0 of 3 | signed tag, SBOM, provenance, complete record, approvals, gate report |
	// | Gaps | 3 | see below |
}
