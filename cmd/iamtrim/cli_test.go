package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/internal/awstest"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/cli")

// A golden CLI case is a directory of testdata/cli:
//
//	cmd       the arguments on one line, split at spaces; $ROOT is the
//	          repository root, $TMP a fresh directory, $CASE the case's own
//	          directory
//	fixture   optional: the name of the database state the case starts
//	          from, one of cliFixtures (e.g. "sample": the committed sample
//	          organisation loaded and analyzed); absent, an empty database.
//	          Either way the case has a schema of its own: it sees the
//	          fixture and its own writes, never another case's, so cases
//	          pass alone, in any order, and a new case changes no other's
//	          golden. State a case needs beyond its fixture comes from
//	          its before commands.
//	env       optional: KEY=VALUE lines ($DATABASE_URL is the test server)
//	          $AWS_ENDPOINT in cmd or env: a local endpoint speaking S3,
//	          CloudTrail, STS and IAM, serving the committed sample
//	          (aws_test.go)
//	          $WEBHOOK in cmd or env: the URL of a local webhook receiver
//	          for this case, which writes each body it receives to
//	          $TMP/out/webhook-N.json (so files/ shows what was posted)
//	before    optional: commands run first, one per line, in the same
//	          environment (each must finish with exit 0, 3 or 4)
//	chdir     optional: the directory to run in (e.g. $ROOT)
//	exit      the expected exit code
//	stdout, stderr   the expected output, normalised (times, durations,
//	          paths, versions)
//	files/    optional: the expected files under $TMP/out
//
// go test ./cmd/iamtrim -run TestCLI -update rewrites exit, stdout, stderr
// and files/.
type cliCase struct {
	name, dir string
	args      []string
	before    [][]string
	fixture   string
	env       map[string]string
}

const cliDir = "../../testdata/cli"

// goldenNow is the clock of every case (IAMTRIM_NOW; a case's env file may
// set another): quarter-to-date reports and date checks must not change
// with the day the suite runs. Its day shows as TODAY.
const goldenNow = "2026-12-02T12:00:00Z"

// suiteStart is when the test binary started: what the suite made before
// midnight shows as TODAY after it too.
var suiteStart = time.Now()

func readCases(t *testing.T) []cliCase {
	t.Helper()
	entries, err := os.ReadDir(cliDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []cliCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir, err := filepath.Abs(filepath.Join(cliDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "cmd"))
		if err != nil {
			t.Fatalf("case %s: %v", e.Name(), err)
		}
		c := cliCase{name: e.Name(), dir: dir, args: strings.Fields(string(b)), env: map[string]string{}}
		if b, err := os.ReadFile(filepath.Join(dir, "fixture")); err == nil {
			c.fixture = strings.TrimSpace(string(b))
		}
		if b, err := os.ReadFile(filepath.Join(dir, "before")); err == nil {
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				c.before = append(c.before, strings.Fields(line))
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					c.env[k] = v
				}
			}
		}
		out = append(out, c)
	}
	return out
}

var (
	timeRE     = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	logTimeRE  = regexp.MustCompile(`(?m)^time=\S+ `)
	durRE      = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|ms|s|m|h)\b`)
	rateRE     = regexp.MustCompile(`\d+(\.\d+)? events/s`)
	rateJSONRE = regexp.MustCompile(`"(events_per_sec|elapsed_ns)": [0-9.e+]+`)
	rateLogRE  = regexp.MustCompile(`\b(events_per_sec|elapsed_ns)=[0-9.e+]+`)
	versionRE  = regexp.MustCompile(`iamtrim \S+ go\S+ \S+/\S+`)
	schemaRE   = regexp.MustCompile(`\bt_[A-Za-z0-9_]+_[0-9a-f]{10}\b`)
	tmpRE      = regexp.MustCompile(`/tmp/\S*?/\d{3}\b`)
	fetchedRE  = regexp.MustCompile(`fetched (\d{4}-\d{2}-\d{2}|TODAY)\b`)
	clockRE    = regexp.MustCompile(`TODAY \d{2}:\d{2}(:\d{2})?`)
	dbURLRE    = regexp.MustCompile(`postgres(ql)?://[^\s"]+`)
	// A local server's (the webhook receiver's) port is the system's pick
	// (an ephemeral port: five digits; PostgreSQL's 5432 stays).
	localPortRE = regexp.MustCompile(`\b127\.0\.0\.1:[1-6]\d{4}\b`)
	// A case on a new schema logs each migration it applies: one more
	// line in every such golden for each migration that lands. The
	// migrations have tests of their own (package migrations, store).
	migrationRE = regexp.MustCompile(`(?m)^.*msg="applied migration" .*\n`)
	// A retried AWS call (a dropped connection on a loaded machine) is
	// logged; whether one happens is not part of what a case shows.
	retryRE = regexp.MustCompile(`(?m)^.*msg="AWS call failed, retrying" .*\n`)
)

// normalise replaces what changes from run to run.
func normalise(s, root, tmp string) string {
	s = migrationRE.ReplaceAllString(s, "")
	s = retryRE.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, tmp, "$TMP")
	s = strings.ReplaceAll(s, root, "$ROOT")
	s = tmpRE.ReplaceAllString(s, "$$TESTTMP")
	s = logTimeRE.ReplaceAllString(s, "")
	s = timeRE.ReplaceAllString(s, "TIME")
	s = strings.ReplaceAll(s, goldenNow[:len(time.DateOnly)], "TODAY")
	s = strings.ReplaceAll(s, time.Now().UTC().Format(time.DateOnly), "TODAY")
	// A suite that runs across midnight made its sample fixture (the
	// catalog's fetch date) the day before.
	s = strings.ReplaceAll(s, suiteStart.UTC().Format(time.DateOnly), "TODAY")
	// A catalog loaded from a directory is as fresh as its newest file:
	// the day testdata/catalog was checked out.
	s = fetchedRE.ReplaceAllString(s, "fetched CHECKOUT-DAY")
	s = clockRE.ReplaceAllString(s, "TODAY CLOCK")
	s = rateRE.ReplaceAllString(s, "N events/s")
	s = rateJSONRE.ReplaceAllString(s, `"$1": N`)
	s = rateLogRE.ReplaceAllString(s, `$1=N`)
	s = durRE.ReplaceAllString(s, "DUR")
	s = versionRE.ReplaceAllString(s, "iamtrim VERSION")
	s = schemaRE.ReplaceAllString(s, "SCHEMA")
	s = dbURLRE.ReplaceAllString(s, "DBURL")
	s = localPortRE.ReplaceAllString(s, "127.0.0.1:PORT")
	return relayBoxes(s)
}

// relayBoxes lays out again each box-drawn table (┌ ... └) after its cells
// were normalised: a column's width follows its longest cell, so a table
// showing $ROOT (a checkout path's length) or TIME would otherwise be
// written with the width of this run's path or timestamp, and the golden
// would change with the directory the repository is cloned into. Each
// cell keeps its alignment (left, right or centred, read from its
// padding); a table whose rows do not all have the border's columns is
// left as it is.
func relayBoxes(s string) string {
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "┌") {
			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "└") {
			end++
		}
		if end == len(lines) {
			break
		}
		relayBox(lines[i : end+1])
		i = end
	}
	return strings.Join(lines, "\n")
}

// relayBox rewrites one table's lines (from ┌ to └) in place.
func relayBox(box []string) {
	cols := strings.Count(box[0], "┬") + 1
	type cell struct {
		text  string
		align byte // 'l', 'r', 'c', or 0: fills its column (unknown)
	}
	rows := make([][]cell, len(box))
	widths := make([]int, cols)
	header := 0 // the rows above the first ├ are the header's
	for i, l := range box {
		if strings.HasPrefix(l, "├") && header == 0 {
			header = i
		}
		if !strings.HasPrefix(l, "│") {
			if n := strings.Count(l, "┬") + strings.Count(l, "┼") + strings.Count(l, "┴"); n != cols-1 {
				return
			}
			continue
		}
		parts := strings.Split(l, "│")
		if len(parts) != cols+2 || parts[0] != "" || parts[cols+1] != "" {
			return
		}
		for j, p := range parts[1 : cols+1] {
			text := strings.TrimSpace(p)
			lead := len(p) - len(strings.TrimLeft(p, " "))
			trail := len(p) - len(strings.TrimRight(p, " "))
			c := cell{text: text}
			switch {
			case text == "" || lead == 1 && trail == 1:
			case lead == 1:
				c.align = 'l'
			case trail == 1:
				c.align = 'r'
			default:
				c.align = 'c'
			}
			rows[i] = append(rows[i], c)
			widths[j] = max(widths[j], utf8.RuneCountInString(text))
		}
	}
	// A cell that filled its column takes the alignment of the column's
	// other body cells; a header's is centred.
	colAlign := make([]byte, cols)
	for i := len(rows) - 1; i > header; i-- {
		for j, c := range rows[i] {
			if c.align != 0 && colAlign[j] == 0 {
				colAlign[j] = c.align
			}
		}
	}
	for i, l := range box {
		if rows[i] == nil {
			var b strings.Builder
			r := []rune(l)
			left, mid, right := string(r[0]), "┼", string(r[len(r)-1])
			switch {
			case strings.Contains(l, "┬"):
				mid = "┬"
			case strings.Contains(l, "┴"):
				mid = "┴"
			}
			b.WriteString(left)
			for j, w := range widths {
				if j > 0 {
					b.WriteString(mid)
				}
				b.WriteString(strings.Repeat("─", w+2))
			}
			b.WriteString(right)
			box[i] = b.String()
			continue
		}
		var b strings.Builder
		b.WriteString("│")
		for j, c := range rows[i] {
			pad := widths[j] - utf8.RuneCountInString(c.text)
			align := c.align
			switch {
			case align != 0:
			case i < header:
				align = 'c'
			default:
				align = colAlign[j]
			}
			left := 0
			switch align {
			case 'r':
				left = pad
			case 'c':
				left = pad / 2
			}
			b.WriteString(" " + strings.Repeat(" ", left) + c.text + strings.Repeat(" ", pad-left) + " │")
		}
		box[i] = b.String()
	}
}

// TestNormaliseDurations: a stage that waits (a migration lock held by
// another run) takes minutes, and Go writes that 2m29.5s: the whole
// duration becomes DUR, or the golden regenerated then holds "2m29.DUR".
func TestNormaliseDurations(t *testing.T) {
	for _, in := range []string{"12µs", "340ms", "3.5s", "2m29.512s", "1h2m3.4s", "5m0s", "1h0m0s"} {
		if got := normalise("elapsed="+in+" x", "/root", "/tmp/x"); got != "elapsed=DUR x" {
			t.Errorf("normalise(elapsed=%s x) = %q, want elapsed=DUR x", in, got)
		}
	}
}

// TestNormaliseTableOfPaths: a table showing the checkout's path
// normalises to the same text wherever the repository is cloned, so a
// golden regenerated in another checkout does not change.
func TestNormaliseTableOfPaths(t *testing.T) {
	render := func(root string) string {
		var b bytes.Buffer
		vs := []catalog.Version{
			{ID: 1, Source: root + "/testdata/catalog", FetchedAt: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), Digest: "sha256:56203cb4", Services: 22, Actions: 837},
			{ID: 2, Source: "https://example.com/catalog", FetchedAt: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC), Digest: "sha256:0a", Services: 3, Actions: 1234},
		}
		if err := catalog.WriteVersions(&b, vs, 2); err != nil {
			t.Fatal(err)
		}
		return normalise(b.String(), root, "/tmp/x")
	}
	short, long := render("/w"), render("/work/a/checkout/of/iamtrim/with/a/long/path")
	if short != long {
		t.Errorf("the same table normalises differently in two checkouts:\n%s\n%s", short, long)
	}
	// The layout is tablewriter's own: a table with nothing to normalise
	// is unchanged.
	var b bytes.Buffer
	if err := catalog.WriteVersions(&b, []catalog.Version{{ID: 7, Source: "https://example.com/c", Digest: "sha256:ab", Services: 1, Actions: 10}}, 0); err != nil {
		t.Fatal(err)
	}
	if got := relayBoxes(b.String()); got != b.String() {
		t.Errorf("relayBoxes changed a table with nothing normalised:\n%s\nwant\n%s", got, b.String())
	}
	t.Log("\n" + long)
}

var (
	padRE  = regexp.MustCompile(`  +`)
	ruleRE = regexp.MustCompile(`─{2,}|-{3,}`)
)

// unpad collapses the padding of table lines (box-drawn or aligned
// columns): a column's width follows the longest value, and values such
// as $ROOT or $TMP stand for paths whose length differs between checkouts
// (CI clones elsewhere), so only the cell contents are compared.
func unpad(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.ContainsAny(l, "│┌└├─") || strings.Contains(l, "  ") {
			l = ruleRE.ReplaceAllString(l, "─")
			lines[i] = padRE.ReplaceAllString(l, " ")
		}
	}
	return strings.Join(lines, "\n")
}

// cliFixtures are the database states a case can start from, by the name
// its fixture file gives. Each is built at most once per test binary run,
// by the first case that names it, into a template schema that no case
// runs against. Cases run on a copy of it (storetest.Clone), restored to
// the template's state before each case (Copy.Restore: rows, partitions,
// sequences), so what one case writes is never seen by another, whatever
// order they run in or whichever subset is run.
var cliFixtures = map[string]func(t *testing.T, env map[string]string){
	"sample": buildSample,
	// The sample with what a quarterly report draws on besides the
	// analysis: a recommendation stored for every principal it can prove
	// one for, and a backtest of each.
	"sample-recommended": func(t *testing.T, env map[string]string) {
		buildSample(t, env)
		mustRun(t, env, exitOK, "recommend", "--all", "--out-dir", t.TempDir(), "--format", "policy", "--unobservable", "drop")
		mustRun(t, env, exitOK, "backtest", "--all", "--train", "60d", "--test", "30d", "--format", "json", "-o", filepath.Join(t.TempDir(), "backtest.json"))
	},
}

// buildSample loads the committed sample organisation and analyzes it
// (analysis snapshot 1).
func buildSample(t *testing.T, env map[string]string) {
	loadSample(t, env, "../../testdata/catalog")
	mustRun(t, env, exitOK, "analyze", "--format", "json")
}

// cliSuite runs golden cases, holding what they share: the fixtures'
// copies and the local AWS endpoint, both made on first use and kept
// until the test that made the suite ends.
type cliSuite struct {
	parent   *testing.T
	root     string
	copies   map[string]*storetest.Copy // fixture name -> the schema its cases run on
	localAWS *awstest.Server
}

func newCLISuite(t *testing.T) *cliSuite {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return &cliSuite{parent: t, root: root, copies: map[string]*storetest.Copy{}}
}

// database returns the environment naming the schema of one case: a new
// empty one, or the fixture's copy holding the fixture's state.
func (s *cliSuite) database(t *testing.T, fixture string) map[string]string {
	t.Helper()
	if fixture == "" {
		env := testEnv(t)
		env["IAMTRIM_NOW"] = goldenNow
		return env
	}
	build, ok := cliFixtures[fixture]
	if !ok {
		t.Fatalf("fixture %q: no such fixture (cliFixtures)", fixture)
	}
	c, ok := s.copies[fixture]
	if ok {
		c.Restore(t) // undo the previous case's writes
	} else {
		tmpl := testEnv(s.parent)
		tmpl["IAMTRIM_NOW"] = goldenNow
		build(t, tmpl)
		c = storetest.Clone(s.parent, tmpl["IAMTRIM_SCHEMA"])
		s.copies[fixture] = c
	}
	return map[string]string{"DATABASE_URL": storetest.URL(), "IAMTRIM_SCHEMA": c.Schema, "IAMTRIM_NOW": goldenNow}
}

// caseResult is what a case printed and wrote, normalised: exit, stdout
// and stderr, and the files under $TMP/out by their relative path.
type caseResult struct {
	got, files map[string]string
}

// run runs one case (its before commands, then its command) in t.
func (s *cliSuite) run(t *testing.T, c cliCase) caseResult {
	t.Helper()
	tmp := t.TempDir()
	env := s.database(t, c.fixture)
	awsURL := ""
	if c.usesAWS() {
		if s.localAWS == nil {
			s.localAWS = startLocalAWS(s.parent)
		}
		awsURL = s.localAWS.URL
	}
	hookURL := ""
	if c.uses("$WEBHOOK") {
		hookURL = startWebhook(t, filepath.Join(tmp, "out"))
	}
	expand := strings.NewReplacer("$ROOT", s.root, "$TMP", tmp, "$CASE", c.dir, "$DATABASE_URL", env["DATABASE_URL"], "$AWS_ENDPOINT", awsURL, "$WEBHOOK", hookURL)
	if b, err := os.ReadFile(filepath.Join(c.dir, "chdir")); err == nil {
		t.Chdir(expand.Replace(strings.TrimSpace(string(b))))
	}
	for k, v := range c.env {
		env[k] = expand.Replace(v)
		if strings.HasPrefix(k, "AWS_") {
			// The AWS SDK reads the process environment.
			t.Setenv(k, env[k])
		}
	}
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = expand.Replace(a)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, b := range c.before {
		bargs := make([]string, len(b))
		for i, a := range b {
			bargs[i] = expand.Replace(a)
		}
		var bout, berr bytes.Buffer
		if code := run(context.Background(), bargs, func(k string) string { return env[k] }, strings.NewReader(""), &bout, &berr); code != exitOK && code != exitRejected && code != exitFindings {
			t.Fatalf("before: %s: exit %d\n%s", strings.Join(b, " "), code, berr.String())
		}
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	res := caseResult{
		got: map[string]string{
			"exit":   strconv.Itoa(code) + "\n",
			"stdout": normalise(out.String(), s.root, tmp),
			"stderr": normalise(errb.String(), s.root, tmp),
		},
		files: readTree(t, filepath.Join(tmp, "out")),
	}
	for name, f := range res.files {
		res.files[name] = normalise(f, s.root, tmp)
	}
	return res
}

func TestCLI(t *testing.T) {
	s := newCLISuite(t)
	for _, c := range readCases(t) {
		t.Run(c.name, func(t *testing.T) {
			res := s.run(t, c)
			if *update {
				for name, out := range res.got {
					if err := os.WriteFile(filepath.Join(c.dir, name), []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				_ = os.RemoveAll(filepath.Join(c.dir, "files"))
				for name, f := range res.files {
					p := filepath.Join(c.dir, "files", name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			for _, name := range []string{"exit", "stdout", "stderr"} {
				want, err := os.ReadFile(filepath.Join(c.dir, name))
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(unpad(string(want)), unpad(res.got[name])); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
			}
			wantFiles := map[string]string{}
			if _, err := os.Stat(filepath.Join(c.dir, "files")); err == nil {
				wantFiles = readTree(t, filepath.Join(c.dir, "files"))
			}
			for name := range wantFiles {
				wantFiles[name] = unpad(wantFiles[name])
			}
			gotFiles := map[string]string{}
			for name, f := range res.files {
				gotFiles[name] = unpad(f)
			}
			if diff := cmp.Diff(wantFiles, gotFiles); diff != "" {
				t.Errorf("files under $TMP/out (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCLIOrder: what a case prints and writes does not depend on the
// cases run before it. Cases on one fixture that write what the others
// read (an analysis snapshot and its id, last-accessed data) run in one
// order and then in the reverse one: each must give the same output both
// times. (Sharing one schema, analyze-table-org showed a snapshot id
// that counted the analyses run before it.)
func TestCLIOrder(t *testing.T) {
	order := []string{"analyze-table", "ingest-lastaccessed-rejected", "analyze-table-org"}
	cases := map[string]cliCase{}
	for _, c := range readCases(t) {
		cases[c.name] = c
	}
	results := map[string][]caseResult{}
	for _, pass := range []string{"forward", "reverse"} {
		s := newCLISuite(t) // fixtures built afresh, as a separate go test run would
		for _, name := range order {
			c, ok := cases[name]
			if !ok {
				t.Fatalf("no golden case %s in %s", name, cliDir)
			}
			t.Run(pass+"/"+name, func(t *testing.T) {
				results[name] = append(results[name], s.run(t, c))
			})
		}
		slices.Reverse(order)
	}
	for name, rs := range results {
		if len(rs) != 2 {
			continue // the failed run was reported
		}
		if diff := cmp.Diff(rs[0].got, rs[1].got); diff != "" {
			t.Errorf("%s: output after the others differs from output before them (-forward +reverse):\n%s", name, diff)
		}
		if diff := cmp.Diff(rs[0].files, rs[1].files); diff != "" {
			t.Errorf("%s: files written after the others differ from those written before them (-forward +reverse):\n%s", name, diff)
		}
	}
}

// usesAWS says whether the case calls the local AWS endpoint.
func (c cliCase) usesAWS() bool { return c.uses("$AWS_ENDPOINT") }

// uses says whether the case's arguments or environment name placeholder.
func (c cliCase) uses(placeholder string) bool {
	if slices.Contains(c.args, placeholder) {
		return true
	}
	for _, v := range c.env {
		if strings.Contains(v, placeholder) {
			return true
		}
	}
	return false
}

// startWebhook serves a webhook receiver for one case: each body it is
// posted goes to dir/webhook-N.json, N counting from 1, and it answers 200.
func startWebhook(t *testing.T, dir string) string {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		n++
		name := filepath.Join(dir, "webhook-"+strconv.Itoa(n)+".json")
		mu.Unlock()
		if err := os.WriteFile(name, b, 0o644); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Every command and every flag in --help is exercised by some golden case.
func TestCLICasesCoverEveryFlag(t *testing.T) {
	rootCmd := (&app{getenv: func(string) string { return "" }}).rootCmd()
	used := map[string]map[string]bool{} // command path -> flags used
	for _, c := range readCases(t) {
		cmd, rest, err := rootCmd.Find(c.args)
		if err != nil {
			continue
		}
		path := cmd.CommandPath()
		if used[path] == nil {
			used[path] = map[string]bool{}
		}
		used[path][""] = true // the command itself
		for _, a := range rest {
			name, _, _ := strings.Cut(a, "=")
			switch {
			case strings.HasPrefix(name, "--"):
				used[path][strings.TrimPrefix(name, "--")] = true
			case strings.HasPrefix(name, "-") && len(name) == 2:
				if f := cmd.Flags().ShorthandLookup(name[1:]); f != nil {
					used[path][f.Name] = true
				}
			}
		}
	}
	var missing []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.HasSubCommands() {
			path := c.CommandPath()
			if !used[path][""] {
				missing = append(missing, path)
			}
			c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
				if f.Name != "help" && !used[path][f.Name] {
					missing = append(missing, path+" --"+f.Name)
				}
			})
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(rootCmd)
	rootCmd.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		for _, flags := range used {
			if flags[f.Name] {
				return
			}
		}
		missing = append(missing, "iamtrim --"+f.Name)
	})
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no golden case in testdata/cli exercises:\n  %s", strings.Join(missing, "\n  "))
	}
}

// Every key of docs/iamtrim.example.yaml appears in some case's
// configuration (a *.yaml file in a case directory).
func TestCLICasesCoverEveryConfigKey(t *testing.T) {
	keysOf := func(path string) []string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var out []string
		var walk func(prefix string, v any)
		walk = func(prefix string, v any) {
			if mm, ok := v.(map[string]any); ok {
				for k, x := range mm {
					walk(strings.TrimPrefix(prefix+"."+k, "."), x)
				}
				return
			}
			out = append(out, prefix)
		}
		walk("", m)
		return out
	}
	covered := map[string]bool{}
	for _, c := range readCases(t) {
		matches, _ := filepath.Glob(filepath.Join(c.dir, "*.yaml"))
		for _, m := range matches {
			for _, k := range keysOf(m) {
				covered[k] = true
			}
		}
	}
	var missing []string
	for _, k := range keysOf("../../docs/iamtrim.example.yaml") {
		if !covered[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("no golden case's configuration sets:\n  %s", strings.Join(missing, "\n  "))
	}
}
