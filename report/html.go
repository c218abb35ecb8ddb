package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

//go:embed report.html.tmpl
var htmlTemplate string

// The page's two scripts. They hold no data, and the page's
// Content-Security-Policy allows exactly these (by hash), so even a string
// that escaped html/template could not run.
const (
	// errorScript records script errors and CSP violations in the DOM
	// (body attributes and a visible note), where the headless-browser
	// test and a reader can see them.
	errorScript = `window.onerror = function (msg, src, line) {
  var b = document.body || document.documentElement;
  b.setAttribute("data-script-error", String(msg) + " at line " + line);
  var p = document.getElementById("script-errors");
  if (p) { p.hidden = false; p.appendChild(document.createTextNode(String(msg) + "\n")); }
  return false;
};
document.addEventListener("securitypolicyviolation", function (e) {
  (document.body || document.documentElement).setAttribute("data-csp-violation", e.violatedDirective);
});`

	// sortScript makes every table.sortable sortable by clicking (or
	// pressing Enter on) a header; th[data-num] columns sort as numbers,
	// td[data-sort] gives a cell's key. "#sort=TABLE:COLUMN:asc|desc" in
	// the URL sorts on load; "#p-HEX" opens that principal's section. It
	// marks <body data-sort-ready> when done.
	sortScript = `(function () {
  "use strict";
  function key(row, col) {
    var c = row.cells[col];
    if (!c) { return ""; }
    var k = c.getAttribute("data-sort");
    return k === null ? c.textContent.trim() : k;
  }
  function sortTable(table, col, dir) {
    var head = table.tHead.rows[0], th = head.cells[col];
    if (!th) { return; }
    var num = th.hasAttribute("data-num"), body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      if (num) {
        x = parseFloat(x); y = parseFloat(y);
        if (isNaN(x)) { x = -Infinity; }
        if (isNaN(y)) { y = -Infinity; }
      }
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return dir === "desc" ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(head.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === "desc" ? "descending" : "ascending");
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      function go() {
        var cur = th.getAttribute("aria-sort");
        var dir = cur === "ascending" ? "desc" : (cur === "descending" ? "asc" : (th.hasAttribute("data-num") ? "desc" : "asc"));
        sortTable(table, col, dir);
      }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); }
      });
    });
  });
  var m = /^#sort=([A-Za-z0-9_-]+):([0-9]+):(asc|desc)$/.exec(window.location.hash);
  if (m) {
    var t = document.getElementById(m[1]);
    if (t && t.classList.contains("sortable")) { sortTable(t, parseInt(m[2], 10), m[3]); }
  }
  // "#p-HEX" (a principal's name anywhere in the report) opens that
  // principal's section and scrolls to it, on load and on every click.
  function reveal() {
    if (!/^#p-[0-9a-f]{12}$/.test(window.location.hash)) { return; }
    var s = document.getElementById(window.location.hash.slice(1));
    var d = s && s.closest("details");
    if (d) { d.open = true; s.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  document.body.setAttribute("data-sort-ready", String(tables.length));
})();`
)

func scriptHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// htmlView is what the template sees: the data plus text and chart
// geometry computed here, so the template only places values.
type htmlView struct {
	D           *Data
	Header      [][2]string
	Summary     [][2]string
	CSP         string
	ErrorScript template.JS
	SortScript  template.JS
	Bars        barChart
	Trend       trendChart
	Coverage    [][]string
	CoverageTtl string

	ExceptionsText  string
	ExceptionHeader []string

	MaxItems    int
	Methodology []string
	Evidence    [][2]string
}

func renderHTML(w io.Writer, d *Data) error {
	funcs := template.FuncMap{
		"pct":      pct,
		"score":    score,
		"last":     lastActivity,
		"proven":   provenText,
		"backtest": backtestText,
		"backtestKey": func(b *Backtest) string {
			if b == nil {
				return "-1"
			}
			return strconv.FormatInt(b.DeniedTrained, 10) + "." + strconv.FormatInt(b.Denied, 10)
		},
		"change":               changeText,
		"changeKey":            changeKey,
		"granted":              grantedText,
		"flags":                flagsText,
		"principalFlags":       principalFlags,
		"removedText":          removedText,
		"remediationText":      remediationText,
		"trendKind":            trendKind,
		"noUserRecommendation": func() string { return noUserRecommendation },
		"sub":                  func(a, b int) int { return a - b },
		"who":                  whoHTML(d),
		"exceptionRow":         exceptionRow,
		"yesno":                yesNo,
		"kindName":             kindName,
		"account":              accountText,
		"riskClass":            riskClass,
		"join":                 strings.Join,
		"deniedSource":         deniedSourceText,
		"firstSource":          firstUsedSourceText,
		"date":                 dateString,
		"lastKey": func(p Principal) string {
			if p.LastActivity == nil {
				return ""
			}
			return strconv.FormatInt(p.LastActivity.Unix(), 10)
		},
		"provenKey": func(p *bool) string {
			switch {
			case p == nil:
				return "-1"
			case *p:
				return "1"
			}
			return "0"
		},
		"add":  func(a, b int) int { return a + b },
		"more": func(f FirstUsed) int { return f.Total - len(f.Items) },
	}
	t, err := template.New("report").Funcs(funcs).Parse(htmlTemplate)
	if err != nil {
		return err
	}
	d = withStrings(d, termSafe)
	v := htmlView{
		D:           d,
		Header:      headerLines(d),
		Summary:     summaryLines(d),
		ErrorScript: template.JS(errorScript),
		SortScript:  template.JS(sortScript),
		CSP: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
			"script-src " + scriptHash(errorScript) + " " + scriptHash(sortScript) + "; " +
			"base-uri 'none'; form-action 'none'",
		Bars:        newBarChart(d.Principals),
		Trend:       newTrendChart(d),
		Coverage:    coverageRows(d.Coverage, 0),
		CoverageTtl: coverageTitle(d.Coverage),

		ExceptionsText:  exceptionsText,
		ExceptionHeader: exceptionHeader,

		MaxItems:    maxDetailItems,
		Methodology: methodologyText(d.Methodology),
		Evidence:    evidenceLines(d),
	}
	return t.Execute(w, v)
}

// changeKey sorts the change column by the change in risk; a new principal
// counts its whole risk.
func changeKey(c *Change) string {
	if c == nil {
		return ""
	}
	return strconv.FormatFloat(c.RiskScore, 'f', -1, 64)
}

// riskClass maps a risk level to one of the page's CSS classes; the level
// comes from stored JSON, so it is never used as a class name directly.
func riskClass(level string) string {
	switch level {
	case "critical", "high", "medium", "low", "none":
		return "risk-" + level
	}
	return "risk-unknown"
}

// barChart is "used vs granted per principal": one 100% bar per
// principal, split into used, unused and unobservable, in risk order.
type barChart struct {
	Width, Height int
	Rows          []barRow
	Omitted       int
}

type barRow struct {
	Y, TextY                     int
	Label, Title, Text           string
	UsedW, UnusedX, UnusedW      string
	UnobsX, UnobsW, OtherX, OthW string
	Empty                        bool
}

const (
	barMaxRows = 40
	barLabelW  = 250
	barX       = 260
	barW       = 460
	barRowH    = 22
	barTop     = 34
)

func newBarChart(ps []Principal) barChart {
	c := barChart{Width: 900}
	n := len(ps)
	if n > barMaxRows {
		c.Omitted = n - barMaxRows
		n = barMaxRows
	}
	for i, p := range ps[:n] {
		y := barTop + i*barRowH
		r := barRow{
			Y: y, TextY: y + 13,
			Label: truncate(kindName(p.PrincipalRef), 34),
			Title: p.ARN + ": " + itoa(p.Used) + " used, " + itoa(p.Unused) + " unused, " +
				itoa(p.Unobservable) + " unobservable of " + itoa(p.Granted) + " granted",
			Text: itoa(p.Used) + " / " + itoa(p.Granted) + " used",
		}
		if p.Granted <= 0 {
			r.Empty = true
			r.Text = "nothing granted"
		} else {
			g := float64(p.Granted)
			used := clamp(p.Used, p.Granted)
			unused := clamp(p.Unused, p.Granted-used)
			unobs := clamp(p.Unobservable, p.Granted-used-unused)
			x := func(n int) float64 { return float64(barX) + float64(barW)*float64(n)/g }
			r.UsedW = px(x(used) - barX)
			r.UnusedX, r.UnusedW = px(x(used)), px(x(used+unused)-x(used))
			r.UnobsX, r.UnobsW = px(x(used+unused)), px(x(used+unused+unobs)-x(used+unused))
			r.OtherX, r.OthW = px(x(used+unused+unobs)), px(float64(barX+barW)-x(used+unused+unobs))
		}
		c.Rows = append(c.Rows, r)
	}
	c.Height = barTop + n*barRowH + 8
	return c
}

func clamp(n, max int) int {
	if n < 0 {
		return 0
	}
	if n > max {
		return max
	}
	return n
}

func px(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// truncate shortens s to n runes with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// trendChart is the trend: granted, used and unused totals of each
// point (every snapshot of the period, each earlier quarter's latest), as
// lines, with a dashed mark where the period begins.
type trendChart struct {
	Width, Height int
	Left, Right   int
	Top, Bottom   int
	R             int // dot radius: smaller when the points are many
	Ticks         []trendTick
	Series        []trendSeries
	Labels        []trendLabel
	// PeriodX is the period's start between the context points and the
	// period's ("" when the trend has only one kind).
	PeriodX string
	Note    string
	Empty   bool
}

type trendTick struct {
	Y     string
	Label string
}

type trendSeries struct {
	Name, Class string
	Points      string
	Dots        []trendDot
}

type trendDot struct {
	X, Y  string
	Title string
}

type trendLabel struct {
	X    string
	Text string
}

// maxTrendLabels bounds the x axis's labels so that dates do not overlap.
const maxTrendLabels = 8

func newTrendChart(d *Data) trendChart {
	pts := d.Trend
	c := trendChart{Width: 900, Height: 260, Left: 70, Right: 880, Top: 20, Bottom: 220, R: 4}
	if len(pts) == 0 {
		c.Empty = true
		return c
	}
	c.Note = trendNote(d, periodPoints(pts))
	if len(pts) > 30 {
		c.R = 2
	}
	top := 0
	for _, p := range pts {
		top = max(top, p.Granted, p.Used, p.Unused)
	}
	scale := niceCeil(top)
	plotH := float64(c.Bottom - c.Top)
	y := func(v int) float64 { return float64(c.Bottom) - plotH*float64(v)/float64(scale) }
	for i := 0; i <= 4; i++ {
		v := scale * i / 4
		c.Ticks = append(c.Ticks, trendTick{Y: px(y(v)), Label: itoa(v)})
	}
	step := float64(c.Right-c.Left) / float64(len(pts))
	x := func(i int) float64 { return float64(c.Left) + step*(float64(i)+0.5) }
	for _, i := range evenly(len(pts), maxTrendLabels) {
		c.Labels = append(c.Labels, trendLabel{X: px(x(i)), Text: pointLabel(pts[i])})
	}
	for i := 1; i < len(pts); i++ {
		if !pts[i-1].InPeriod && pts[i].InPeriod {
			c.PeriodX = px(x(i) - step/2)
		}
	}
	series := []struct {
		name, class string
		val         func(TrendPoint) int
	}{
		{"granted", "s-granted", func(p TrendPoint) int { return p.Granted }},
		{"used", "s-used", func(p TrendPoint) int { return p.Used }},
		{"unused", "s-unused", func(p TrendPoint) int { return p.Unused }},
	}
	for _, s := range series {
		ts := trendSeries{Name: s.name, Class: s.class}
		var pts2 []string
		for i, p := range pts {
			xs, ys := px(x(i)), px(y(s.val(p)))
			pts2 = append(pts2, xs+","+ys)
			ts.Dots = append(ts.Dots, trendDot{X: xs, Y: ys, Title: p.AsOf + " (" + p.Quarter + ", snapshot " + strconv.FormatInt(p.SnapshotID, 10) + "): " + itoa(s.val(p)) + " " + s.name})
		}
		ts.Points = strings.Join(pts2, " ")
		c.Series = append(c.Series, ts)
	}
	return c
}

// pointLabel names a point on the x axis: its quarter before the period,
// its day in it.
func pointLabel(p TrendPoint) string {
	if p.InPeriod {
		return p.AsOf
	}
	return p.Quarter
}

// niceCeil rounds n up to 1, 2, 4, 5 or 8 times a power of ten (at least
// 4): a round top for the axis.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 5, 8} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// whoHTML returns the template function that names a principal the same
// way in every table: kind/name, linked to its section when the report has
// one, and the full ARN under it. The ARN has been made safe already; it
// is escaped here for HTML.
func whoHTML(d *Data) func(string) template.HTML {
	sections := make(map[string]string, len(d.Details))
	for _, x := range d.Details {
		sections[x.ARN] = x.Anchor
	}
	return func(arn string) template.HTML {
		name := template.HTMLEscapeString(arnName(termSafe(arn)))
		if a, ok := sections[arn]; ok {
			name = `<a href="#` + a + `">` + name + `</a>`
		}
		return template.HTML(name + `<span class="arn">` + template.HTMLEscapeString(termSafe(arn)) + `</span>`)
	}
}
