package localpg_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/store/localpg"
	"github.com/jackc/pgx/v5"
)

// Fallback starts the store for a command and stops it when the command
// releases it.
func TestFallback(t *testing.T) {
	needBinaries(t)
	ctx := context.Background()
	o := storeDir(t)
	target, release, err := localpg.Fallback(o, false)(ctx, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	if target.Origin != "private store" || !strings.Contains(target.Display, o.Dir+" (socket only) database postgres") {
		t.Errorf("target %+v, want the private store in %s", target, o.Dir)
	}
	conn, err := pgx.Connect(ctx, target.ConnString)
	if err != nil {
		t.Fatalf("connect to the fallback's target: %v", err)
	}
	conn.Close(ctx)
	release()
	if st, err := localpg.GetStatus(ctx, o); err != nil || st.Running {
		t.Errorf("status after release: %+v, %v; want stopped", st, err)
	}
}

func TestStatusWrite(t *testing.T) {
	for _, tc := range []struct {
		name       string
		st         localpg.Status
		noBinaries bool
		want       string
	}{
		{"not created", localpg.Status{Dir: "/d"}, false, "directory: /d\nstate:     not created (the first command that needs it creates it)\n"},
		{"running, kept, in use", localpg.Status{Dir: "/d", Socket: "/d/run", Exists: true, Version: 16, Running: true, PID: 7, Kept: true, InUse: true}, false,
			"directory: /d\nstate:     running (PostgreSQL 16, pid 7)\nsocket:    /d/run (no TCP port)\nkept:      yes (--keep-server; 'iamtrim server stop' stops it)\nin use:    yes, by another iamtrim command\n"},
		{"stopped, no binaries", localpg.Status{Dir: "/d", Exists: true, Version: 15}, true,
			"directory: /d\nstate:     stopped (PostgreSQL 15)\nbinaries:  none: " + localpg.InstallHint + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.st.Write(&buf, tc.noBinaries)
			if got := buf.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
