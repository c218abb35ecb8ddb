package cloudtrail

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The list RequestFields is built from is the parser's own switch: a key
// added to params.parseIter and not to requestKeys would silently be left
// out of the queries pushed down to Athena and CloudTrail Lake.
func TestRequestKeysMatchParser(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "resources.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "parseIter" {
			return true
		}
		for _, st := range fn.Body.List {
			loop, ok := st.(*ast.ForStmt)
			if !ok {
				continue
			}
			for _, st := range loop.Body.List {
				sw, ok := st.(*ast.SwitchStmt)
				if !ok {
					continue
				}
				for _, cc := range sw.Body.List {
					for _, e := range cc.(*ast.CaseClause).List {
						if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, _ := strconv.Unquote(lit.Value)
							cases = append(cases, s)
						}
					}
				}
			}
		}
		return false
	})
	if len(cases) < 10 {
		t.Fatalf("found %d cases in params.parseIter's switch; has the parser changed shape?", len(cases))
	}
	slices.Sort(cases)
	want := slices.Clone(requestKeys)
	slices.Sort(want)
	if diff := cmp.Diff(want, cases); diff != "" {
		t.Errorf("requestKeys differ from params.parseIter's cases (-requestKeys +parser):\n%s", diff)
	}
	got := RequestFields()
	for _, k := range append(cases, "role", "taskRoleArn", "roleARN") {
		if !slices.Contains(got, k) {
			t.Errorf("RequestFields() lacks %q", k)
		}
	}
}
