//go:build unix

package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/metrics"
	"github.com/releasekit/releasekit/internal/testkit/audittest"
)

// The browser check renders a report page in headless Chromium twice:
//
//  1. --dump-dom of a copy of the page with a probe script appended, which
//     measures every chart <svg> (its box, how many .mark elements have a
//     non-empty box and a fill) and lists scripts, loaded resources and
//     src/href attributes into a hidden <pre>;
//  2. --screenshot of the page itself, decoded with image/png: each chart
//     region must not be blank (luminance spread) and, when it has data,
//     must hold pixels of the mark colour.
//
// Both runs log Chromium's console to stderr (--enable-logging=stderr
// --v=0); any CONSOLE line (console.* calls, uncaught errors) is a
// problem. TestBrowserCheckCatches shows that each check fails a page
// with the defect it looks for.

const (
	browserWidth, browserHeight = 1280, 2000
	browserTimeout              = 60 * time.Second
)

// chromium returns the Chromium binary, skips the test when there is none
// outside CI, and fails it in CI.
func chromium(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium not found in CI (install the Debian package chromium): %v", err)
		}
		t.Skipf("chromium not found: %v", err)
	}
	return bin
}

// runChromium runs Chromium headless in its own process group with a
// timeout; on timeout, or when it leaves children behind, the whole group
// is killed.
func runChromium(ctx context.Context, t *testing.T, bin string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserTimeout)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir=" + t.TempDir(), "--hide-scrollbars", "--force-device-scale-factor=1",
		fmt.Sprintf("--window-size=%d,%d", browserWidth, browserHeight),
		"--enable-logging=stderr", "--v=0",
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // children left behind, if any
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("chromium timed out after %v: %w", browserTimeout, ctx.Err())
	}
	return out.Bytes(), errb.Bytes(), err
}

const probeScript = `<script id="probe-script">(function () {
  var out = {lang: document.documentElement.lang, title: document.title, charts: [],
    scripts: document.scripts.length - 1, srcHref: [],
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })};
  document.querySelectorAll('[src],[href],link,iframe,object,embed,img').forEach(function (el) { out.srcHref.push(el.outerHTML.slice(0, 120)); });
  document.querySelectorAll('svg').forEach(function (svg) {
    var r = svg.getBoundingClientRect(), t = svg.querySelector(':scope > title'), marks = 0;
    svg.querySelectorAll('.mark').forEach(function (m) {
      var b = m.getBBox(), cs = getComputedStyle(m);
      if (b.width > 0 && b.height > 0 && cs.fill !== 'none' && cs.display !== 'none' && cs.visibility !== 'hidden' && cs.opacity !== '0') marks++;
    });
    out.charts.push({id: svg.id, role: svg.getAttribute('role'), title: t ? t.textContent.trim() : '',
      expected: Number(svg.getAttribute('data-marks')), marks: marks,
      x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height});
  });
  var pre = document.createElement('pre');
  pre.id = 'probe'; pre.hidden = true; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();</script>`

type probeChart struct {
	ID, Role, Title string
	Expected, Marks int
	X, Y, W, H      float64
}

type probe struct {
	Lang, Title string
	Charts      []probeChart
	Scripts     int
	Overflow    int // how much wider than the window the page is
	SrcHref     []string
	Resources   []string
}

var probeRE = regexp.MustCompile(`(?s)<pre id="probe" hidden="">(.*?)</pre>`)

// browserCheck renders page and returns every problem found, and the path
// of the screenshot, written to dir.
func browserCheck(t *testing.T, page []byte, dir string) (problems []string, shot string) {
	t.Helper()
	bin := chromium(t)
	ctx := t.Context()
	work := t.TempDir()
	pagePath := filepath.Join(work, "report.html")
	probePath := filepath.Join(work, "probe.html")
	require.NoError(t, os.WriteFile(pagePath, page, 0o644))
	probed := bytes.Replace(page, []byte("</body>"), []byte(probeScript+"\n</body>"), 1)
	require.NoError(t, os.WriteFile(probePath, probed, 0o644))

	console := func(stderr []byte) {
		for _, line := range strings.Split(string(stderr), "\n") {
			if strings.Contains(line, ":CONSOLE") {
				problems = append(problems, "console: "+strings.TrimSpace(line))
			}
		}
	}

	// 1. The DOM, measured.
	dom, stderr, err := runChromium(ctx, t, bin, "--dump-dom", "file://"+probePath)
	require.NoError(t, err, "chromium --dump-dom: %s", stderr)
	console(stderr)
	m := probeRE.FindSubmatch(dom)
	require.NotNil(t, m, "probe output not found in the DOM:\n%s", dom)
	var p probe
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &p))
	if p.Lang == "" {
		problems = append(problems, "no lang on <html>")
	}
	if strings.TrimSpace(p.Title) == "" {
		problems = append(problems, "no <title>")
	}
	if p.Scripts != 0 {
		problems = append(problems, fmt.Sprintf("%d script elements in the page", p.Scripts))
	}
	if len(p.Resources) > 0 || len(p.SrcHref) > 0 {
		problems = append(problems, fmt.Sprintf("external references: resources %q, elements %q", p.Resources, p.SrcHref))
	}
	if p.Overflow > 0 {
		problems = append(problems, fmt.Sprintf("the page is %dpx wider than the %dpx window", p.Overflow, browserWidth))
	}
	if len(p.Charts) == 0 {
		problems = append(problems, "no chart")
	}
	for _, c := range p.Charts {
		if c.Role != "img" || c.Title == "" {
			problems = append(problems, fmt.Sprintf("chart %s: role %q, title %q: not accessible", c.ID, c.Role, c.Title))
		}
		if c.Marks != c.Expected {
			problems = append(problems, fmt.Sprintf("chart %s: %d marks drawn, %d values with data", c.ID, c.Marks, c.Expected))
		}
		if c.W < 100 || c.H < 100 {
			problems = append(problems, fmt.Sprintf("chart %s: box %vx%v too small", c.ID, c.W, c.H))
		}
	}

	// 2. The pixels.
	shot = filepath.Join(dir, "health_report.png")
	_, stderr, err = runChromium(ctx, t, bin, "--screenshot="+shot, "file://"+pagePath)
	require.NoError(t, err, "chromium --screenshot: %s", stderr)
	console(stderr)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	for _, c := range p.Charts {
		r := image.Rect(int(c.X), int(c.Y), int(c.X+c.W), int(c.Y+c.H))
		if !r.In(img.Bounds()) {
			problems = append(problems, fmt.Sprintf("chart %s at %v is outside the %v screenshot", c.ID, r, img.Bounds()))
			continue
		}
		spread, accent := regionStats(img, r)
		if spread < 5 {
			problems = append(problems, fmt.Sprintf("chart %s: blank region (luminance spread %.1f)", c.ID, spread))
		}
		if c.Expected > 0 && accent < 20*c.Expected {
			problems = append(problems, fmt.Sprintf("chart %s: %d pixels of the mark colour for %d values", c.ID, accent, c.Expected))
		}
	}
	return problems, shot
}

// regionStats returns the standard deviation of luminance in r and the
// number of pixels of the mark colour (#0969da, within a tolerance).
func regionStats(img image.Image, r image.Rectangle) (spread float64, accent int) {
	var n, sum, sq float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			R, G, B := float64(cr>>8), float64(cg>>8), float64(cb>>8)
			l := 0.2126*R + 0.7152*G + 0.0722*B
			n++
			sum += l
			sq += l * l
			if math.Abs(R-0x09) < 40 && math.Abs(G-0x69) < 40 && math.Abs(B-0xda) < 40 {
				accent++
			}
		}
	}
	mean := sum / n
	return math.Sqrt(max(0, sq/n-mean*mean)), accent
}

func TestReportInBrowser(t *testing.T) {
	var page bytes.Buffer
	require.NoError(t, novReport().WriteHTML(&page))
	problems, shot := browserCheck(t, page.Bytes(), t.ArtifactDir())
	assert.Empty(t, problems)
	t.Logf("screenshot: %s", shot)
}

// TestBrowserCheckCatches shows that the browser check fails pages with
// the defects it looks for.
func TestBrowserCheckCatches(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, novReport().WriteHTML(&buf))
	good := buf.String()
	tests := []struct {
		name string
		page string
		want string // a substring of one problem
	}{
		{"console error", strings.Replace(good, "</body>", `<script>console.error("deliberate console error")</script></body>`, 1), `deliberate console error`},
		{"uncaught exception", strings.Replace(good, "</body>", `<script>undefinedFunction()</script></body>`, 1), `Uncaught ReferenceError`},
		{"marks not filled", strings.Replace(good, "svg .mark { fill: var(--accent); }", "svg .mark { fill: none; }", 1), "marks drawn"},
		{"marks invisible", strings.Replace(good, "svg .mark { fill: var(--accent); }", "svg .mark { fill: #ffffff; }", 1), "pixels of the mark colour"},
		{"marks missing", regexp.MustCompile(`<rect class="mark"[^>]*>.*?</rect>`).ReplaceAllString(good, ""), "0 marks drawn"},
		{"external asset", strings.Replace(good, "</body>", `<img src="http://192.0.2.1/x.png" alt=""></body>`, 1), "external references"},
		{"chart without title", regexp.MustCompile(`<title id="chart-deployments-title">[^<]*</title>`).ReplaceAllString(good, ""), "not accessible"},
		{"too wide", strings.Replace(good, "<main>", `<main><div style="width:3000px">wide</div>`, 1), "wider than"},
		{"no lang", strings.Replace(good, `<html lang="en">`, `<html>`, 1), "no lang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NotEqual(t, good, tt.page, "the defect was not injected")
			problems, _ := browserCheck(t, []byte(tt.page), t.TempDir())
			require.NotEmpty(t, problems)
			assert.True(t, containsAny(problems, tt.want), "want a problem with %q, got %q", tt.want, problems)
		})
	}
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestFixtureReportInBrowser collects the fixture's history, builds its
// report for January 2026 and checks the page in the browser.
func TestFixtureReportInBrowser(t *testing.T) {
	f := audittest.New(t)
	h, err := metrics.Collect(t.Context(), f.Sources)
	require.NoError(t, err)
	rep := metrics.BuildReport(h, janSince, janUntil, []metrics.Incident{{ID: audittest.Incident, Release: "v1.2.1",
		Opened: time.Date(2026, time.January, 17, 0, 30, 0, 0, time.UTC)}}, janGenerated)

	// Every release of the period has its whole evidence; the emergency
	// change and the rollback are listed.
	require.Len(t, rep.Releases, 6)
	for _, r := range rep.Releases {
		for _, it := range r.Items() {
			assert.Equal(t, audit.Verified, it.Item.State, "%s %s: %s", r.Tag, it.Name, it.Item.Detail)
		}
	}
	assert.Empty(t, rep.Gaps)
	require.Len(t, rep.Emergencies, 1)
	assert.Equal(t, "v1.2.2", rep.Emergencies[0].Release)
	assert.Equal(t, audittest.IncidentCommander, rep.Emergencies[0].Change.Approver)
	require.Len(t, rep.Rollbacks, 1)
	assert.Equal(t, f.Rollback.From, rep.Rollbacks[0].From)
	assert.Equal(t, f.Rollback.To, rep.Rollbacks[0].To)
	require.Len(t, rep.Weeks, 4)
	assert.Equal(t, []int{2, 3, 1, 0}, []int{rep.Weeks[0].Metrics.Deployments.Count, rep.Weeks[1].Metrics.Deployments.Count,
		rep.Weeks[2].Metrics.Deployments.Count, rep.Weeks[3].Metrics.Deployments.Count})

	dir := t.ArtifactDir()
	var page, md, js bytes.Buffer
	require.NoError(t, rep.WriteHTML(&page))
	require.NoError(t, rep.WriteMarkdown(&md))
	require.NoError(t, rep.WriteJSON(&js))
	for name, b := range map[string][]byte{"health_report.html": page.Bytes(), "health_report.md": md.Bytes(), "health_report.json": js.Bytes()} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	problems, shot := browserCheck(t, page.Bytes(), dir)
	assert.Empty(t, problems)
	t.Logf("report and screenshot: %s", shot)
}
