package reject_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/internal/reject"
)

type marked struct{}

func (marked) Error() string  { return "a.json: record 1: bad" }
func (marked) RejectedInput() {}

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"marked", marked{}, true},
		{"wrapped", fmt.Errorf("stage authz: %w", marked{}), true},
		{"joined", errors.Join(errors.New("other"), marked{}), true},
		{"plain", errors.New("a.json: record 1: bad"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reject.Is(tc.err); got != tc.want {
				t.Errorf("Is(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// Every error type of the tree named RejectedError (or ending in it) has
// the mark, a RejectedInput method, so that the CLI's exit code covers
// the packages added later too. It reads the source: a package's error
// types are not reachable from here without importing every package.
func TestEveryRejectedErrorIsMarked(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}  // dir.Type declared
	marked := map[string]bool{} // dir.Type with a RejectedInput method
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && strings.HasSuffix(ts.Name.Name, "RejectedError") {
						types[dir+"."+ts.Name.Name] = true
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || d.Name.Name != "RejectedInput" || len(d.Recv.List) != 1 {
					continue
				}
				typ := d.Recv.List[0].Type
				if st, ok := typ.(*ast.StarExpr); ok {
					typ = st.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					marked[dir+"."+id.Name] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) < 5 {
		t.Fatalf("found %d RejectedError types (%v), want the stages' at least: is the walk reading the tree?", len(types), types)
	}
	for typ := range types {
		if !marked[typ] {
			t.Errorf("%s has no RejectedInput method: give it one (reject.Input) so that the CLI exits 3 for it", typ)
		}
	}
}
