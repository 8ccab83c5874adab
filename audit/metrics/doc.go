// Package metrics computes the delivery metrics of releasekit's releases and
// writes the monthly release-health report (policy §1.7).
//
// # Delivery metrics (§1.7.3)
//
// [Collect] reads the verified log, the records, each release's commits and
// its evidence from an [audit.Sources] into a [History]; [Compute]
// computes, over a period, lead time for changes, deployment frequency,
// change failure rate and time to restore, with check, deploy agent and gate
// pass rates, the deployment success rate from the deployment outcomes the
// log holds (a deployment started with no outcome counts, never as a
// success) and the refused attempts per environment and control
// ([RefusalFigure]), overall and per component ([Summary],
// [ComponentSummary]), each figure with the records it came from. A figure
// without samples is "no data", never 0.
//
// # The release-health report (§1.7.5)
//
// [BuildReport] makes the monthly release-health report ([HealthReport]):
// a self-contained HTML page with SVG charts ([HealthReport.WriteHTML]),
// Markdown and JSON. Besides the figures and the evidence of each release
// deployed to production, it lists the files each changed ([HealthChanges],
// from the changed-files manifests its deployment outcomes name), the
// refused attempts ([HealthRefusal]: who, verified or typed, the controls,
// why) and the failed deployments with their errors ([HealthDeployment]). The state of each piece of evidence is an
// [audit.Status], printed as "OK", "unverified", "missing", "FAILED" or
// "n/a".
//
// Release records link to incidents and hotfixes through the Extra keys
// [audit.ExtraIncident], [audit.ExtraHotfixFor] and [audit.ExtraComponent].
package metrics
