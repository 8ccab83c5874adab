package metrics_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit/metrics"
)

// hostileReport is a report whose record text is very long, holds
// markup for every context and bidi controls.
func hostileReport() *metrics.HealthReport {
	h := november()
	long := strings.Repeat("x", 400)
	for i := range h.Entries {
		p := h.Entries[i].Promotion
		if p == nil {
			continue
		}
		if p.RollbackFrom != "" {
			p.Reason = "\u202Eevil</style></svg></script><svg onload=alert(1)>" + long
			p.Approver = "a\" onmouseover=\"alert(1)" + long
		}
		if p.Emergency != nil {
			p.Emergency.Scope = long
			p.Emergency.ID = "EMG-" + long
		}
	}
	h.Releases[6].SBOM.Detail = "missing " + long + " \u202Egnissim"
	return metrics.BuildReport(h, novSince, novUntil, nil, novGenerated)
}

func TestReportHostileInBrowser(t *testing.T) {
	var page bytes.Buffer
	require.NoError(t, hostileReport().WriteHTML(&page))
	s := page.String()
	assert.NotContains(t, s, "<svg onload")
	assert.NotContains(t, s, `" onmouseover="`)
	problems, _ := browserCheck(t, page.Bytes(), t.TempDir())
	assert.Empty(t, problems)
}

// A record's bidi control cannot reorder the report's own text after it
// (a sample line's times and duration after an incident ID, say): it is
// shown, not obeyed.
func TestReportBidiIsolated(t *testing.T) {
	var page, md bytes.Buffer
	rep := hostileReport()
	require.NoError(t, rep.WriteHTML(&page))
	require.NoError(t, rep.WriteMarkdown(&md))
	for name, out := range map[string]string{"html": page.String(), "markdown": md.String()} {
		assert.False(t, strings.ContainsRune(out, '\u202E'), "%s: a record's RLO reorders the text after it", name)
		assert.True(t, strings.Contains(out, "(U+202E)"), "%s: the RLO is not shown", name)
	}
}

// A report with one week of all-zero data, and one with huge and negative
// durations, renders in the browser.
func TestReportChartEdgesInBrowser(t *testing.T) {
	var b historyBuilder
	b.h.Log = ok()
	b.promote("prod", "v1.0.0", "2026-11-03 10:00")
	b.release("v1.0.0", "2026-11-03 12:00", nil, nil) // committed after it ran: negative lead time
	b.promote("prod", "v1.1.0", "2026-11-04 10:00")
	b.release("v1.1.0", "1970-01-01 00:00", nil, nil)
	for _, rep := range []*metrics.HealthReport{
		metrics.BuildReport(&b.h, at("2026-11-03 00:00"), at("2026-11-04 00:00"), nil, novGenerated),
		metrics.BuildReport(&b.h, at("2026-11-05 00:00"), at("2026-11-06 00:00"), nil, novGenerated),
		metrics.BuildReport(&b.h, novSince, novUntil, nil, novGenerated),
	} {
		var page bytes.Buffer
		require.NoError(t, rep.WriteHTML(&page))
		problems, _ := browserCheck(t, page.Bytes(), t.TempDir())
		assert.Empty(t, problems)
	}
}
