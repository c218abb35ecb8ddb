package recommend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/zclconf/go-cty/cty"
)

// Terraform styles: how the recommended policies are attached.
const (
	// TerraformInline writes the principal's inline policy
	// (aws_iam_role_policy, _user_policy), and managed policies with their
	// attachments only for the documents of a split that must be managed.
	TerraformInline = "inline"
	// TerraformManaged writes every document as an aws_iam_policy with an
	// aws_iam_role_policy_attachment (or _user_); the recommendation is then
	// split with no inline budget, so every document fits a managed policy.
	TerraformManaged = "managed"
)

// RenderOptions shape the infrastructure-as-code formats.
type RenderOptions struct {
	// TerraformStyle is TerraformInline (default) or TerraformManaged.
	TerraformStyle string
	// TerraformRoleRef is the address of an existing Terraform resource for
	// the principal (aws_iam_role.app, module.iam.aws_iam_role.app); the
	// files then reference ADDRESS.name instead of the name as a string.
	// "{name}" in it is replaced by the principal's name as a Terraform
	// identifier, so one reference pattern serves --all.
	TerraformRoleRef string
}

// Validate checks the style and that the reference is a resource address.
func (o RenderOptions) Validate() error {
	if o.TerraformStyle != "" {
		if err := option.OneOf(o.TerraformStyle, TerraformInline, TerraformManaged); err != nil {
			return fmt.Errorf("terraform-style %w", err)
		}
	}
	if o.TerraformRoleRef != "" {
		if _, err := roleRef(o.TerraformRoleRef, "x"); err != nil {
			return err
		}
	}
	return nil
}

// roleRef parses --terraform-role-ref ref, {name} replaced by name: a
// resource address such as aws_iam_role.app.
func roleRef(ref, name string) (hcl.Traversal, error) {
	tr, diags := hclsyntax.ParseTraversalAbs([]byte(strings.ReplaceAll(ref, "{name}", name)), "", hcl.InitialPos)
	if diags.HasErrors() || len(tr) < 2 {
		return nil, fmt.Errorf("terraform-role-ref %q: want a resource address such as aws_iam_role.app", ref)
	}
	for _, s := range tr[1:] {
		if _, ok := s.(hcl.TraverseAttr); !ok {
			return nil, fmt.Errorf("terraform-role-ref %q: want a resource address such as aws_iam_role.app, without index", ref)
		}
	}
	return tr, nil
}

var tfIdent = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

// tfName is s as a Terraform identifier.
func tfName(s string) string {
	name := strings.Trim(tfIdent.ReplaceAllString(strings.ToLower(s), "_"), "_")
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "p_" + name
	}
	return name
}

// Notes that make a recommendation's file one not to apply as it is: the
// infrastructure-as-code formats show them as warnings, and leave out the
// advice to replace the current policies.
const (
	NoteServiceLinked  = "a service-linked role: AWS manages its policies and they cannot be edited; this recommendation is for review only"
	NoteIdentityCenter = "an IAM Identity Center role: apply the change to its permission set, not to the role, which Identity Center overwrites"
)

// header is the comment block every infrastructure-as-code format starts
// with: whose policy, the proof, and every warning a reader must see
// before applying it (service-linked, Identity Center, split), each line
// safe to show on a terminal.
func header(rec *Recommendation) []string {
	status := "PROVEN"
	if !rec.Proof.Proven {
		status = "NOT PROVEN: do not apply"
	}
	lines := []string{
		"Least-privilege policy for " + rec.PrincipalARN + ", written by iamtrim.",
		fmt.Sprintf("Proof: %s. Observed calls allowed = %v (%d calls); nothing broader than the current policies = %v; removes %d of %d granted actions.",
			status, rec.Proof.ObservedAllowed, rec.Proof.ObservedCalls, rec.Proof.NoBroader, rec.Proof.Removed, rec.Proof.Removed+rec.Proof.Kept),
	}
	if rec.Window != "" {
		lines = append(lines, "Window: "+rec.Window+".")
	}
	var warnings, notes []string
	for _, n := range rec.Notes {
		if n == NoteServiceLinked || n == NoteIdentityCenter {
			warnings = append(warnings, "WARNING: "+n)
		} else {
			notes = append(notes, "Note: "+n)
		}
	}
	lines = append(lines, warnings...)
	if len(warnings) == 0 {
		lines = append(lines, "It replaces the principal's current policies: detach or delete them once this is applied.")
	}
	for _, w := range rec.Proof.Wildcards {
		lines = append(lines, fmt.Sprintf("Wildcard %s (policy %d) matches actions AWS may add later.", w.Pattern, w.Policy+1))
	}
	lines = append(lines, notes...)
	for i, l := range lines {
		lines[i] = untrusted.Terminal(l)
	}
	return lines
}

// policyName is the name of the i-th of n recommended policies.
func policyName(rec *Recommendation, i, n int) string {
	return rec.Name + "-least-privilege" + suffix(i, n)
}

// managedAt reports whether document i goes in as a managed policy under
// the style.
func managedAt(rec *Recommendation, i int, style string) bool {
	if style == TerraformManaged {
		return true
	}
	return i < len(rec.Attach) && rec.Attach[i] == AttachManaged
}

// principalKind is "role" or "user": the word in aws_iam_<kind>_policy,
// AWS::IAM::<Kind>Policy and put-<kind>-policy.
func principalKind(rec *Recommendation) string {
	if rec.Type == "user" || rec.Type == "group" {
		return rec.Type
	}
	return "role"
}

func writeTerraform(w io.Writer, rec *Recommendation, ro RenderOptions) error {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	var com hclwrite.Tokens
	for _, l := range header(rec) {
		com = append(com, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("# " + l + "\n")})
	}
	body.AppendUnstructuredTokens(com)
	kind := principalKind(rec)
	var principal hclwrite.Tokens
	if ro.TerraformRoleRef != "" {
		tr, err := roleRef(ro.TerraformRoleRef, tfName(rec.Name))
		if err != nil {
			return err
		}
		principal = hclwrite.TokensForTraversal(append(tr, hcl.TraverseAttr{Name: "name"}))
	} else {
		principal = hclwrite.TokensForValue(cty.StringVal(rec.Name))
	}
	base := tfName(rec.Name) + "_least_privilege"
	n := len(rec.Policies)
	for i, d := range rec.Policies {
		res := base
		if n > 1 {
			res = fmt.Sprintf("%s_%d", base, i+1)
		}
		js, err := d.MarshalJSON()
		if err != nil {
			return err
		}
		doc, err := jsonTokens(js)
		if err != nil {
			return err
		}
		policyExpr := hclwrite.TokensForFunctionCall("jsonencode", doc)
		body.AppendNewline()
		if !managedAt(rec, i, ro.TerraformStyle) {
			b := body.AppendNewBlock("resource", []string{"aws_iam_" + kind + "_policy", res}).Body()
			b.SetAttributeValue("name", cty.StringVal(policyName(rec, i, n)))
			b.SetAttributeRaw(kind, principal)
			b.SetAttributeRaw("policy", policyExpr)
			continue
		}
		b := body.AppendNewBlock("resource", []string{"aws_iam_policy", res}).Body()
		b.SetAttributeValue("name", cty.StringVal(policyName(rec, i, n)))
		b.SetAttributeValue("description", cty.StringVal("Least privilege for "+rec.PrincipalARN+" from observed CloudTrail use (iamtrim)"))
		b.SetAttributeRaw("policy", policyExpr)
		body.AppendNewline()
		a := body.AppendNewBlock("resource", []string{"aws_iam_" + kind + "_policy_attachment", res}).Body()
		a.SetAttributeRaw(kind, principal)
		a.SetAttributeTraversal("policy_arn", hcl.Traversal{hcl.TraverseRoot{Name: "aws_iam_policy"}, hcl.TraverseAttr{Name: res}, hcl.TraverseAttr{Name: "arn"}})
	}
	_, err := w.Write(hclwrite.Format(f.Bytes()))
	return err
}

// jsonTokens converts a JSON document to an HCL expression with the same
// value under jsonencode, keeping the document's key order.
func jsonTokens(js []byte) (hclwrite.Tokens, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	toks, err := jsonValueTokens(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("policy JSON: trailing data")
	}
	return toks, nil
}

func jsonValueTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			var attrs []hclwrite.ObjectAttrTokens
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				val, err := jsonValueTokens(dec)
				if err != nil {
					return nil, err
				}
				attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForValue(cty.StringVal(k)), Value: val})
			}
			_, err := dec.Token() // }
			return hclwrite.TokensForObject(attrs), err
		case '[':
			var elems []hclwrite.Tokens
			for dec.More() {
				e, err := jsonValueTokens(dec)
				if err != nil {
					return nil, err
				}
				elems = append(elems, e)
			}
			_, err := dec.Token() // ]
			return tupleTokens(elems), err
		}
	case string:
		return hclwrite.TokensForValue(cty.StringVal(v)), nil
	case json.Number:
		n, err := cty.ParseNumberVal(v.String())
		if err != nil {
			return nil, err
		}
		return hclwrite.TokensForValue(n), nil
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(v)), nil
	case nil:
		return hclwrite.TokensForValue(cty.NullVal(cty.DynamicPseudoType)), nil
	}
	return nil, fmt.Errorf("policy JSON: unexpected %v", t)
}

// tupleTokens is TokensForTuple, but a list of several elements (actions,
// resources, statements) has one element per line, as people write them
// and as a reviewer reads a diff of them.
func tupleTokens(elems []hclwrite.Tokens) hclwrite.Tokens {
	if len(elems) < 2 && (len(elems) == 0 || elems[0][0].Type != hclsyntax.TokenOBrace) {
		return hclwrite.TokensForTuple(elems)
	}
	nl := &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}, nl}
	for _, e := range elems {
		toks = append(toks, e...)
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")}, nl)
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}

var cfnIdent = regexp.MustCompile(`[^A-Za-z0-9]+`)

// cfnLogicalID is a CloudFormation logical id (alphanumeric) for name.
func cfnLogicalID(name string, i, n int) string {
	var b strings.Builder
	for _, part := range cfnIdent.Split(name, -1) {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	id := b.String()
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = "P" + id
	}
	if len(id) > 200 {
		id = id[:200]
	}
	id += "LeastPrivilege"
	if n > 1 {
		id += fmt.Sprint(i + 1)
	}
	return id
}

// writeCloudFormation writes a template fragment: AWS::IAM::RolePolicy
// (UserPolicy) for the inline document, AWS::IAM::ManagedPolicy attached
// to the principal for each managed one of a split. The header goes in
// Description and Metadata, since JSON has no comments.
func writeCloudFormation(w io.Writer, rec *Recommendation) error {
	kind := principalKind(rec)
	Kind := strings.ToUpper(kind[:1]) + kind[1:]
	hdr := header(rec)
	type resource struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	}
	res := map[string]resource{}
	n := len(rec.Policies)
	for i, d := range rec.Policies {
		js, err := d.MarshalJSON()
		if err != nil {
			return err
		}
		id := cfnLogicalID(rec.Name, i, n)
		if managedAt(rec, i, TerraformInline) {
			res[id] = resource{"AWS::IAM::ManagedPolicy", map[string]any{
				"ManagedPolicyName": policyName(rec, i, n),
				"Description":       "Least privilege for " + rec.PrincipalARN + " from observed CloudTrail use (iamtrim)",
				Kind + "s":          []string{rec.Name},
				"PolicyDocument":    json.RawMessage(js),
			}}
			continue
		}
		res[id] = resource{"AWS::IAM::" + Kind + "Policy", map[string]any{
			"PolicyName":     policyName(rec, i, n),
			Kind + "Name":    rec.Name,
			"PolicyDocument": json.RawMessage(js),
		}}
	}
	tmpl := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              truncate(strings.Join(cfnDescription(hdr), " "), 1024),
		"Metadata":                 map[string]any{"iamtrim": map[string]any{"principal": rec.PrincipalARN, "proven": rec.Proof.Proven, "notes": hdr[2:]}},
		"Resources":                res,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tmpl); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(buf.Bytes()))
	return err
}

// jsonSafe writes the runes a terminal would act on (DEL, C1 controls,
// bidirectional overrides, line separators) as \uNNNN escapes: the JSON
// means the same, and showing the file cannot reorder or hide its text.
// JSON escapes the control characters below DEL already (those left are
// the encoder's own white space); the others occur only inside strings,
// where an escape is valid.
func jsonSafe(js []byte) []byte {
	s := string(js)
	unsafe := func(r rune) bool { return r >= 0x7f && untrusted.Unsafe(r) }
	if strings.IndexFunc(s, unsafe) < 0 {
		return js
	}
	var b strings.Builder
	for _, r := range s {
		if !unsafe(r) {
			b.WriteRune(r)
			continue
		}
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return []byte(b.String())
}

// cfnDescription is what of the header goes into the template's
// Description, the text the console shows: whose, the proof, warnings.
func cfnDescription(hdr []string) []string {
	out := hdr[:2:2]
	for _, l := range hdr[2:] {
		if strings.HasPrefix(l, "WARNING: ") {
			out = append(out, l)
		}
	}
	return out
}

// truncate cuts s to at most n bytes (CloudFormation's Description limit)
// on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }

// writeCLI writes the AWS CLI commands that apply the recommendation:
// put-role-policy for the inline document, create-policy and
// attach-role-policy for each managed one of a split.
func writeCLI(w io.Writer, rec *Recommendation) error {
	kind := principalKind(rec)
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for _, l := range header(rec) {
		b.WriteString("# " + l + "\n")
	}
	b.WriteString("set -eu\n")
	partition, account := "aws", ""
	if p := strings.SplitN(rec.PrincipalARN, ":", 6); len(p) == 6 {
		partition, account = p[1], p[4]
	}
	n := len(rec.Policies)
	for i, d := range rec.Policies {
		js, err := d.MarshalJSON()
		if err != nil {
			return err
		}
		name := policyName(rec, i, n)
		if !managedAt(rec, i, TerraformInline) {
			fmt.Fprintf(&b, "aws iam put-%s-policy --%s-name %s --policy-name %s --policy-document %s\n",
				kind, kind, shQuote(untrusted.Terminal(rec.Name)), shQuote(untrusted.Terminal(name)), shQuote(string(jsonSafe(js))))
			continue
		}
		fmt.Fprintf(&b, "aws iam create-policy --policy-name %s --description %s --policy-document %s\n",
			shQuote(untrusted.Terminal(name)), shQuote(untrusted.Terminal("Least privilege for "+rec.PrincipalARN+" (iamtrim)")), shQuote(string(jsonSafe(js))))
		fmt.Fprintf(&b, "aws iam attach-%s-policy --%s-name %s --policy-arn %s\n",
			kind, kind, shQuote(untrusted.Terminal(rec.Name)), shQuote(untrusted.Terminal("arn:"+partition+":iam::"+account+":policy/"+name)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
