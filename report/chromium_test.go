package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/sharedtest"
)

// chromium finds a headless-capable Chromium: $IAMTRIM_CHROMIUM, else
// /usr/bin/chromium (Debian's package), else one on $PATH. The test skips
// without one, saying how to get it (fails under CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IAMTRIM_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	sharedtest.Missing(t, "no Chromium: install it (Debian: apt-get install -y chromium) or set IAMTRIM_CHROMIUM to run the HTML report in a headless browser")
	return ""
}

// runChromium runs a fresh headless browser (new empty profile, no
// network-facing background services) with extra arguments.
func runChromium(t *testing.T, bin string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, tail(errb.String(), 2000))
	}
	return out.Bytes(), errb.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

var (
	bodyTagRe  = regexp.MustCompile(`<body[^>]*>`)
	firstColRe = regexp.MustCompile(`<tr><td class="n">([0-9]+)</td>`)
)

// TestHTMLInChromium loads the HTML report in headless Chromium: the
// page's script must run under its own Content-Security-Policy without
// errors (it marks <body data-sort-ready>), the "#sort=" link must sort
// the principals table, no hostile string may have become an element, and
// a screenshot must be produced.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := Render(&buf, testData(), "html"); err != nil {
		t.Fatalf("Render(html): %v", err)
	}
	html := buf.String()
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	t.Run("scripts run without errors", func(t *testing.T) {
		// Sort the principals by Granted (column 3), ascending.
		dom, stderr := runChromium(t, bin, "--enable-logging=stderr", "--v=0", "--dump-dom", url+"#sort=principals-table:3:asc")
		body := bodyTagRe.Find(dom)
		if body == nil {
			t.Fatalf("dumped DOM has no <body>:\n%s", tail(string(dom), 2000))
		}
		if bytes.Contains(body, []byte("data-script-error")) || bytes.Contains(body, []byte("data-csp-violation")) {
			t.Errorf("page reported a script error or CSP violation: %s", body)
		}
		want := strconv.Itoa(strings.Count(html, `class="sortable"`))
		if !bytes.Contains(body, []byte(`data-sort-ready="`+want+`"`)) {
			t.Errorf("body = %s, want data-sort-ready=%q (the sort script did not finish)\nbrowser log:\n%s", body, want, tail(string(stderr), 3000))
		}
		for _, line := range strings.Split(string(stderr), "\n") {
			if strings.Contains(line, "Uncaught") || strings.Contains(line, "Content Security Policy") {
				t.Errorf("browser log: %s", line)
			}
		}
		if got := bytes.Count(dom, []byte("<script")); got != 2 {
			t.Errorf("DOM has %d <script> elements, want the page's own 2", got)
		}
		if bytes.Contains(dom, []byte(hostileScript)) {
			t.Errorf("DOM contains %q as markup", hostileScript)
		}

		s := string(dom)
		i := strings.Index(s, `id="principals-table"`)
		if i < 0 {
			t.Fatalf("DOM has no principals table")
		}
		j := strings.Index(s[i:], "</table>")
		var order []string
		for _, m := range firstColRe.FindAllStringSubmatch(s[i:i+j], -1) {
			order = append(order, m[1])
		}
		// testData's principals in risk order have granted 15000, 120,
		// 40, 12, 0; ascending by granted is rows 5, 4, 3, 2, 1.
		if got, want := strings.Join(order, ","), "5,4,3,2,1"; got != want {
			t.Errorf("principal rows after #sort=principals-table:3:asc = %s, want %s", got, want)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,2000", url)
		png, err := os.ReadFile(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
			t.Errorf("screenshot is not a plausible PNG (%d bytes)", len(png))
		}
	})
}

// TestHTMLSectionsOpenInChromium: a principal's name links to its
// section, and following the link opens it (the page's script, under its
// CSP); a screenshot of the page opened on that link differs from one of
// the page as loaded, so the section is really drawn open.
func TestHTMLSectionsOpenInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	d := testData()
	var buf bytes.Buffer
	if err := Render(&buf, d, "html"); err != nil {
		t.Fatalf("Render(html): %v", err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	target := d.Details[0].Anchor
	if !strings.Contains(buf.String(), `href="#`+target+`"`) {
		t.Fatalf("no link to #%s in the page", target)
	}
	url := "file://" + page
	dom, _ := runChromium(t, bin, "--dump-dom", url+"#"+target)
	open := regexp.MustCompile(`<details class="principal" open="">\s*<summary id="([^"]+)"`).FindAllSubmatch(dom, -1)
	if len(open) != 1 || string(open[0][1]) != target {
		var got []string
		for _, m := range open {
			got = append(got, string(m[1]))
		}
		t.Errorf("open sections after #%s = %v, want exactly that one", target, got)
	}
	closed, _ := runChromium(t, bin, "--dump-dom", url)
	if bytes.Contains(closed, []byte(`<details class="principal" open`)) {
		t.Error("a section is open on a page loaded without a fragment")
	}
	// The window is taller than the page, so opening scrolls nothing and
	// the two screenshots differ only by what the open section draws.
	shots := map[string][]byte{}
	for name, u := range map[string]string{"closed": url, "open": url + "#" + target} {
		shot := filepath.Join(dir, name+".png")
		runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,12000", "--hide-scrollbars", u)
		png, err := os.ReadFile(shot)
		if err != nil {
			t.Fatalf("no %s screenshot: %v", name, err)
		}
		shots[name] = png
	}
	if bytes.Equal(shots["closed"], shots["open"]) {
		t.Error("the screenshot with the section opened is the same as the closed page's")
	}
}

// TestHTMLPrintsToPDF prints the report to PDF as a reader would and counts
// its pages: A4 landscape, a handful of pages for testData, not one page
// per row. The per-principal sections are the evidence: they print open
// although the page shows them closed, so the PDF has as many pages as
// one printed with every section opened.
func TestHTMLPrintsToPDF(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := Render(&buf, testData(), "html"); err != nil {
		t.Fatalf("Render(html): %v", err)
	}
	opened := bytes.ReplaceAll(buf.Bytes(), []byte(`<details class="principal">`), []byte(`<details class="principal" open>`))
	if bytes.Equal(opened, buf.Bytes()) {
		t.Fatal("the report has no principal sections to open")
	}
	pages := map[string]int{}
	for name, html := range map[string][]byte{"as loaded": buf.Bytes(), "opened": opened} {
		page := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".html")
		if err := os.WriteFile(page, html, 0o644); err != nil {
			t.Fatal(err)
		}
		pdf := strings.TrimSuffix(page, ".html") + ".pdf"
		runChromium(t, bin, "--print-to-pdf="+pdf, "--no-pdf-header-footer", "file://"+page)
		b, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatalf("no PDF: %v", err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
		}
		pages[name] = len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1))
		t.Logf("%s: printed %d pages, %d bytes", name, pages[name], len(b))
	}
	if p := pages["as loaded"]; p < 2 || p > 12 {
		t.Errorf("the PDF has %d pages, want 2 to 12 for the test report", p)
	}
	if pages["as loaded"] != pages["opened"] {
		t.Errorf("the PDF has %d pages, %d with every section opened: closed sections do not print", pages["as loaded"], pages["opened"])
	}
}

// yearOfTrend is testData with a year of nightly snapshots: two quarters
// before the period for context, and MaxTrendPoints of the period's 365
// snapshots, as Build keeps them.
func yearOfTrend() *Data {
	d := testData()
	pts := d.Trend[:2:2]
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, k := range evenly(365, MaxTrendPoints) {
		at := day.AddDate(0, 0, k)
		pts = append(pts, TrendPoint{Quarter: QuarterOf(at), SnapshotID: int64(100 + i), AsOf: dateString(at), WindowDays: 90, InPeriod: true,
			Principals: 5, Granted: 15000 + k, Used: 20 + k/10, Unused: 14900 + k/2})
	}
	d.Trend, d.TrendSnapshots = pts, 365
	return d
}

var (
	trendSVGRe    = regexp.MustCompile(`(?s)<svg class="chart" id="trend-chart".*?</svg>`)
	polylineRe    = regexp.MustCompile(`<polyline points="([^"]*)"`)
	circleCXRe    = regexp.MustCompile(`<circle cx="([0-9.]+)"`)
	chartTextRe   = regexp.MustCompile(`<text [^>]*text-anchor="middle">([^<]*)</text>`)
	trendPointsRe = regexp.MustCompile(`<details class="trend-points"( open="")?>`)
)

// TestTrendInChromium loads a report whose trend holds a year of nightly
// snapshots in headless Chromium: the chart the browser parsed has one
// dot per point in each series, in order along the axis, at most
// maxTrendLabels dates and the period's mark, the table of every point is
// folded, the page's scripts run under its CSP, and the page prints to no
// more pages than the same report with a five-point trend.
func TestTrendInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	pages := map[string]int{}
	for name, d := range map[string]*Data{"short": testData(), "year": yearOfTrend()} {
		var buf bytes.Buffer
		if err := Render(&buf, d, "html"); err != nil {
			t.Fatalf("Render(html): %v", err)
		}
		page := filepath.Join(dir, name+".html")
		if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		pdf := filepath.Join(dir, name+".pdf")
		runChromium(t, bin, "--print-to-pdf="+pdf, "--no-pdf-header-footer", "file://"+page)
		b, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatalf("no PDF: %v", err)
		}
		pages[name] = len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1))
		if name != "year" {
			continue
		}
		dom, _ := runChromium(t, bin, "--dump-dom", "file://"+page)
		if body := bodyTagRe.Find(dom); body == nil || bytes.Contains(body, []byte("data-script-error")) || bytes.Contains(body, []byte("data-csp-violation")) ||
			!bytes.Contains(body, []byte("data-sort-ready")) {
			t.Errorf("the page's scripts did not run cleanly: %s", body)
		}
		svg := trendSVGRe.Find(dom)
		if svg == nil {
			t.Fatal("the browser's DOM has no trend chart")
		}
		n := len(d.Trend)
		lines := polylineRe.FindAllSubmatch(svg, -1)
		if len(lines) != 3 {
			t.Fatalf("the chart has %d series, want 3", len(lines))
		}
		for _, l := range lines {
			if got := len(strings.Fields(string(l[1]))); got != n {
				t.Errorf("a series has %d points, want %d", got, n)
			}
		}
		cxs := circleCXRe.FindAllSubmatch(svg, -1)
		if len(cxs) != 3*n {
			t.Fatalf("the chart has %d dots, want %d", len(cxs), 3*n)
		}
		prev := 0.0
		for _, m := range cxs[:n] {
			x, _ := strconv.ParseFloat(string(m[1]), 64)
			if x <= prev || x > 880 {
				t.Fatalf("dot at x=%v after x=%v: the points are not in order within the axis", x, prev)
			}
			prev = x
		}
		var labels []string
		for _, m := range chartTextRe.FindAllSubmatch(svg, -1) {
			labels = append(labels, string(m[1]))
		}
		want := []string{"period", "2026Q2", "2026Q3"}
		if len(labels) < 4 || len(labels) > maxTrendLabels+1 || !slices.Contains(labels, "period") || labels[len(labels)-1] != "2026-12-31" {
			t.Errorf("axis labels %v: want the period's mark, at most %d labels, the last 2026-12-31 (and %v among them when they fit)", labels, maxTrendLabels, want)
		}
		if m := trendPointsRe.FindSubmatch(dom); m == nil || len(m[1]) > 0 {
			t.Errorf("the table of every point is missing or open (%q): a year of points must be folded", m)
		}
	}
	// The five points' table is open, the year's folded: the year may
	// print shorter, never longer.
	if pages["year"] > pages["short"] {
		t.Errorf("a year of nightly points prints to %d pages, five points to %d: the trend bloats the report", pages["year"], pages["short"])
	}
	t.Logf("pages: %v", pages)
}
