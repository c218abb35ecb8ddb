package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

// demoEnv is the environment for scripts/demo.sh: PATH and HOME only, plus env.
func demoEnv(env ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
}

// make demo uses a database of its own on whatever server it finds: a
// DATABASE_URL or PGDATABASE naming the user's database gives the server,
// never the database.
func TestDemoDatabase(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"DATABASE_URL=postgres://iamtrim@db.internal/iamtrim"}, "postgres://iamtrim@db.internal/iamtrim_demo"},
		{[]string{"DATABASE_URL=postgres://u:p@h:5433/audit?sslmode=require"}, "postgres://u:p@h:5433/iamtrim_demo?sslmode=require"},
		{[]string{"DATABASE_URL=postgresql://h"}, "postgresql://h/iamtrim_demo"},
		{[]string{"DATABASE_URL=host=db user=x dbname=audit sslmode=disable"}, "host=db user=x sslmode=disable dbname=iamtrim_demo"},
		{[]string{"DATABASE_URL=host=db dbname='my audit' user=x"}, "host=db user=x dbname=iamtrim_demo"},
		{[]string{"PGHOST=db", "PGDATABASE=audit"}, "dbname=iamtrim_demo"},
		{[]string{"PGDATABASE=audit"}, "PGDATABASE=iamtrim_demo"},
		{nil, "PGDATABASE=iamtrim_demo"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.env, " "), func(t *testing.T) {
			cmd := exec.Command("bash", "../../scripts/demo.sh", "--print-database")
			cmd.Env = demoEnv(tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("demo.sh --print-database: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("demo database = %q, want %q", got, tc.want)
			}
		})
	}
}

// The whole demo, pointed at a scratch database as a user's DATABASE_URL
// would be: that database stays untouched.
func TestDemoLeavesTheUsersDatabaseAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, storetest.URL())
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("iamtrim_users_own_%d", os.Getpid())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(context.Background())
	})
	u, err := url.Parse(storetest.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	users, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer users.Close(ctx)
	if _, err := users.Exec(ctx, "CREATE TABLE audit_data (x int)"); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "iamtrim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command("bash", "../../scripts/demo.sh")
	cmd.Env = demoEnv("DATABASE_URL="+u.String(), "IAMTRIM_BIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	var tables []string
	rows, err := users.Query(ctx, `SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, s)
	}
	if strings.Join(tables, ",") != "public.audit_data" {
		t.Errorf("the user's database now holds %v, want only public.audit_data", tables)
	}
}

// make demo on a machine where no server answers: the private store
// stands in (started from the machine's binaries, kept up for the demo's
// commands) and is stopped at the end. IAMTRIM_DEFAULT_PGHOST points the
// local defaults at a directory with no socket, as a stopped server would
// leave them.
func TestDemoPrivateStore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	needPGBinaries(t)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "iamtrim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := demoEnv("IAMTRIM_BIN="+bin, "IAMTRIM_DEFAULT_PGHOST="+filepath.Join(tmp, "no-server"), "XDG_DATA_HOME="+filepath.Join(tmp, "data"))
	t.Cleanup(func() {
		stop := exec.Command(bin, "server", "stop")
		stop.Env = env
		_ = stop.Run()
	})
	cmd := exec.Command("bash", "../../scripts/demo.sh")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{`origin="private store"`, "orders-api-lambda: PROVEN", "demo finished"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	status := exec.Command(bin, "server", "status")
	status.Env = env
	st, err := status.CombinedOutput()
	if err != nil || !strings.Contains(string(st), "state:     stopped") || strings.Contains(string(st), "kept:") {
		t.Errorf("after the demo the private store should be stopped and not kept: %v\n%s", err, st)
	}
}
