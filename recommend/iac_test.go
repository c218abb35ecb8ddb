package recommend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// docValue is a policy document as a generic JSON value, for comparing
// what a format carries with what was recommended.
func docValue(t *testing.T, d *policy.Document) any {
	t.Helper()
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return jsonValue(t, b)
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// tfResource is one resource block of a parsed Terraform file: its
// attributes evaluated (jsonencode available; references to other
// resources kept as their source text).
type tfResource struct {
	typ, name string
	attrs     map[string]string
}

// parseTerraform parses src as HCL and evaluates each resource's
// attributes, jsonencode included, so the test reads what Terraform would.
func parseTerraform(t *testing.T, src []byte) []tfResource {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "out.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("terraform output does not parse: %v\n%s", diags, src)
	}
	ctx := &hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}
	var out []tfResource
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "resource" || len(b.Labels) != 2 {
			t.Fatalf("unexpected block %s %v", b.Type, b.Labels)
		}
		r := tfResource{typ: b.Labels[0], name: b.Labels[1], attrs: map[string]string{}}
		for name, a := range b.Body.Attributes {
			if trs := a.Expr.Variables(); len(trs) > 0 {
				r.attrs[name] = string(a.Expr.Range().SliceBytes(src))
				continue
			}
			v, diags := a.Expr.Value(ctx)
			if diags.HasErrors() {
				t.Fatalf("%s.%s: %v", r.typ, name, diags)
			}
			if v.Type() != cty.String {
				t.Fatalf("%s.%s is %s, want a string", r.typ, name, v.Type().FriendlyName())
			}
			r.attrs[name] = v.AsString()
		}
		out = append(out, r)
	}
	return out
}

// terraformFmtCheck runs terraform fmt -check on src when terraform is on
// PATH.
func terraformFmtCheck(t *testing.T, src []byte) {
	t.Helper()
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Log("terraform is not on PATH: terraform fmt -check not run (the output is still parsed back)")
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "out.tf")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tf, "fmt", "-check", "-diff", path)
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check fails: %v\n%s", err, out)
	}
}

func TestTerraformParsesBackAndIsFormatted(t *testing.T) {
	f := newFixture(t)
	single, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	split, err := Recommend(context.Background(), f.in, Options{MaxChars: 400, InlineChars: 500})
	if err != nil {
		t.Fatal(err)
	}
	managedSplit, err := Recommend(context.Background(), f.in, Options{MaxChars: 400, InlineChars: 400})
	if err != nil {
		t.Fatal(err)
	}
	if len(split.Policies) < 2 || split.Attach[0] != AttachInline {
		t.Fatalf("fixture split: %d policies, attach %v", len(split.Policies), split.Attach)
	}
	tests := []struct {
		name     string
		rec      *Recommendation
		ro       RenderOptions
		inline   int // aws_iam_role_policy blocks
		managed  int // aws_iam_policy blocks, each with an attachment
		roleExpr string
	}{
		{"inline", single, RenderOptions{}, 1, 0, ""},
		{"managed", single, RenderOptions{TerraformStyle: TerraformManaged}, 0, 1, ""},
		{"split inline first", split, RenderOptions{}, 1, len(split.Policies) - 1, ""},
		{"split managed", managedSplit, RenderOptions{TerraformStyle: TerraformManaged}, 0, len(managedSplit.Policies), ""},
		{"role reference", single, RenderOptions{TerraformRoleRef: "module.iam.aws_iam_role.{name}"}, 1, 0, "module.iam.aws_iam_role.worker.name"},
		{"managed with reference", single, RenderOptions{TerraformStyle: TerraformManaged, TerraformRoleRef: "aws_iam_role.app"}, 0, 1, "aws_iam_role.app.name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteWith(&buf, tc.rec, f.in, "terraform", tc.ro); err != nil {
				t.Fatal(err)
			}
			src := buf.Bytes()
			terraformFmtCheck(t, src)
			if !bytes.HasPrefix(src, []byte("# Least-privilege policy for arn:aws:iam::111122223333:role/app/worker")) ||
				!bytes.Contains(src, []byte("# Proof: PROVEN.")) {
				t.Errorf("no header with the proof:\n%s", src)
			}
			res := parseTerraform(t, src)
			var docs []any
			inline, managed, attachments := 0, 0, 0
			policyARNs := map[string]bool{}
			for _, r := range res {
				switch r.typ {
				case "aws_iam_role_policy":
					inline++
					docs = append(docs, jsonValue(t, []byte(r.attrs["policy"])))
					if tc.roleExpr != "" && r.attrs["role"] != tc.roleExpr || tc.roleExpr == "" && r.attrs["role"] != "worker" {
						t.Errorf("role = %q", r.attrs["role"])
					}
				case "aws_iam_policy":
					managed++
					docs = append(docs, jsonValue(t, []byte(r.attrs["policy"])))
					policyARNs["aws_iam_policy."+r.name+".arn"] = true
				case "aws_iam_role_policy_attachment":
					attachments++
					if !policyARNs[r.attrs["policy_arn"]] {
						t.Errorf("attachment %s refers to %q, not a policy of the file", r.name, r.attrs["policy_arn"])
					}
					if tc.roleExpr != "" && r.attrs["role"] != tc.roleExpr || tc.roleExpr == "" && r.attrs["role"] != "worker" {
						t.Errorf("attachment role = %q", r.attrs["role"])
					}
				default:
					t.Errorf("unexpected resource %s", r.typ)
				}
			}
			if inline != tc.inline || managed != tc.managed || attachments != managed {
				t.Errorf("%d inline, %d managed, %d attachments; want %d, %d, %d", inline, managed, attachments, tc.inline, tc.managed, tc.managed)
			}
			if len(docs) != len(tc.rec.Policies) {
				t.Fatalf("%d documents, want %d", len(docs), len(tc.rec.Policies))
			}
			for i, d := range tc.rec.Policies {
				if want := docValue(t, d); !reflect.DeepEqual(docs[i], want) {
					t.Errorf("document %d parses back as\n%v\nwant\n%v", i, docs[i], want)
				}
			}
		})
	}
}

// A service-linked role's file must not look applicable: the warning is in
// the file, not only on stderr.
func TestInfrastructureFormatsCarryWarnings(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec.Notes = append(rec.Notes, "a service-linked role: AWS manages its policies and they cannot be edited; this recommendation is for review only")
	for _, format := range []string{"terraform", "cloudformation", "cli"} {
		var buf bytes.Buffer
		if err := Write(&buf, rec, f.in, format); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "WARNING: a service-linked role") {
			t.Errorf("%s does not carry the service-linked warning:\n%s", format, buf.String())
		}
	}
}

func TestCloudFormationParsesBack(t *testing.T) {
	f := newFixture(t)
	for _, opts := range []Options{{}, {MaxChars: 400, InlineChars: 500}} {
		rec, err := Recommend(context.Background(), f.in, opts)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, rec, f.in, "cloudformation"); err != nil {
			t.Fatal(err)
		}
		var tmpl struct {
			Version   string `json:"AWSTemplateFormatVersion"`
			Resources map[string]struct {
				Type       string
				Properties map[string]json.RawMessage
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &tmpl); err != nil {
			t.Fatalf("template does not parse: %v\n%s", err, buf.String())
		}
		if tmpl.Version != "2010-09-09" || len(tmpl.Resources) != len(rec.Policies) {
			t.Fatalf("version %q, %d resources for %d policies", tmpl.Version, len(tmpl.Resources), len(rec.Policies))
		}
		for i, d := range rec.Policies {
			r, ok := tmpl.Resources[cfnLogicalID(rec.Name, i, len(rec.Policies))]
			if !ok {
				t.Fatalf("no resource for policy %d: %s", i, buf.String())
			}
			wantType := "AWS::IAM::RolePolicy"
			if rec.Attach[i] == AttachManaged {
				wantType = "AWS::IAM::ManagedPolicy"
				var roles []string
				if json.Unmarshal(r.Properties["Roles"], &roles); !reflect.DeepEqual(roles, []string{"worker"}) {
					got := string(r.Properties["Roles"])
					t.Errorf("managed policy %d attached to %s", i, got)
				}
			} else if got := string(r.Properties["RoleName"]); got != `"worker"` {
				t.Errorf("role policy %d on %s", i, got)
			}
			if r.Type != wantType {
				t.Errorf("policy %d is %s, want %s", i, r.Type, wantType)
			}
			parsed, err := policy.Parse(r.Properties["PolicyDocument"])
			if err != nil {
				t.Fatalf("policy %d: %v", i, err)
			}
			if !reflect.DeepEqual(docValue(t, parsed), docValue(t, d)) {
				t.Errorf("policy %d parses back differently", i)
			}
		}
	}
}

// The cli format is run by a real shell with aws replaced by a function
// that prints its arguments: what the shell passes is what AWS would get.
func TestCLIParsesBack(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	f := newFixture(t)
	for _, opts := range []Options{{}, {MaxChars: 400, InlineChars: 500}} {
		rec, err := Recommend(context.Background(), f.in, opts)
		if err != nil {
			t.Fatal(err)
		}
		// A quote in a resource must survive the shell's quoting.
		rec.Policies[0].Statements[0].Resource = append(rec.Policies[0].Statements[0].Resource, "arn:aws:s3:::data/it's")
		var buf bytes.Buffer
		if err := Write(&buf, rec, f.in, "cli"); err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(t.TempDir(), "apply.sh")
		if err := os.WriteFile(script, buf.Bytes(), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sh, "-c", `aws() { printf '%s\037' "$@"; printf '\036'; }; . "$1"`, "sh", script)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		var calls [][]string
		for _, c := range strings.Split(strings.TrimSuffix(string(out), "\x1e"), "\x1e") {
			calls = append(calls, strings.Split(strings.TrimSuffix(c, "\x1f"), "\x1f"))
		}
		var docs []any
		created := map[string]bool{}
		for _, c := range calls {
			args := map[string]string{}
			for i := 2; i+1 < len(c); i += 2 {
				args[c[i]] = c[i+1]
			}
			switch c[1] {
			case "put-role-policy":
				if args["--role-name"] != "worker" {
					t.Errorf("put-role-policy on %q", args["--role-name"])
				}
				docs = append(docs, jsonValue(t, []byte(args["--policy-document"])))
			case "create-policy":
				created["arn:aws:iam::111122223333:policy/"+args["--policy-name"]] = true
				docs = append(docs, jsonValue(t, []byte(args["--policy-document"])))
			case "attach-role-policy":
				if !created[args["--policy-arn"]] || args["--role-name"] != "worker" {
					t.Errorf("attach-role-policy %v: not a policy created before", args)
				}
			default:
				t.Errorf("unexpected command %v", c)
			}
		}
		if len(docs) != len(rec.Policies) {
			t.Fatalf("%d documents for %d policies:\n%s", len(docs), len(rec.Policies), buf.String())
		}
		for i, d := range rec.Policies {
			if !reflect.DeepEqual(docs[i], docValue(t, d)) {
				t.Errorf("policy %d parses back differently", i)
			}
		}
	}
}

func TestRenderOptionsValidate(t *testing.T) {
	for _, bad := range []RenderOptions{{TerraformStyle: "attached"}, {TerraformRoleRef: "aws_iam_role"}, {TerraformRoleRef: "aws_iam_role.x[0]"}, {TerraformRoleRef: "not an address"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	for _, ok := range []RenderOptions{{}, {TerraformStyle: TerraformInline}, {TerraformStyle: TerraformManaged, TerraformRoleRef: "module.iam.aws_iam_role.{name}"}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

// Names that differ only in characters a file name cannot hold share a
// file: the second is refused, never written over the first.
func TestFileSetRefusesAClash(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fs := &fileSet{owner: map[string]string{}}
	a, b := *rec, *rec
	a.Name, a.PrincipalARN = "ci,deployer", "arn:aws:iam::111122223333:role/ci,deployer"
	b.Name, b.PrincipalARN = "ci_deployer", "arn:aws:iam::111122223333:role/ci_deployer"
	if err := fs.write(dir, &a, f.in, "terraform", RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := fs.write(dir, &b, f.in, "terraform", RenderOptions{}); !errors.Is(err, errClash) {
		t.Fatalf("second principal's file: %v, want a refusal", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "ci_deployer.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "role/ci,deployer") {
		t.Errorf("the first principal's file was overwritten:\n%.300s", got)
	}
	// The same principal again (a re-run within the run) is not a clash.
	if err := fs.write(dir, &a, f.in, "terraform", RenderOptions{}); err != nil {
		t.Errorf("same principal again: %v", err)
	}
	// Per account: two accounts' roles of one name each get a file.
	pa := &fileSet{perAccount: true, owner: map[string]string{}}
	c := a
	c.PrincipalARN = "arn:aws:iam::444455556666:role/ci,deployer"
	for _, r := range []*Recommendation{&a, &c} {
		if err := pa.write(dir, r, f.in, "cli", RenderOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, acct := range []string{"111122223333", "444455556666"} {
		if _, err := os.Stat(filepath.Join(dir, acct, "ci_deployer.sh")); err != nil {
			t.Error(err)
		}
	}
}
