package outfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Output files get 0644 less the umask, like any file a program creates;
// they were 0644 whatever the umask.
func TestCreateRespectsUmask(t *testing.T) {
	for _, tc := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}, {0o077, 0o600}} {
		old := syscall.Umask(tc.umask)
		path := filepath.Join(t.TempDir(), "report.html")
		w, commit, err := Create(nil, path)
		if err == nil {
			_, err = w.Write([]byte("x"))
		}
		if err == nil {
			err = commit()
		}
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != tc.want {
			t.Errorf("umask %03o: mode %03o, want %03o", tc.umask, got, tc.want)
		}
	}
}
