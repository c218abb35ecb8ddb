package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// roleWith is an inventory of one role whose inline policy has n copies
// of the statement template (%d is the statement's number).
func roleWith(n int, tmpl string) *Inventory {
	stmts := make([]string, n)
	for i := range stmts {
		stmts[i] = fmt.Sprintf(tmpl, i)
	}
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	return NewInventory("t", &Details{RoleDetailList: []RoleDetail{{
		Path: "/", RoleName: "big", RoleID: "AROA1", Arn: "arn:aws:iam::111122223333:role/big", CreateDate: "2025-01-01T00:00:00Z",
		RolePolicyList: []InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(doc)}},
	}}})
}

// TestExpandLimits: a principal over a limit is refused with a
// *LimitError naming it; one at the limit is expanded.
func TestExpandLimits(t *testing.T) {
	const cond = `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/t%d":"*"}}}`
	const plain = `{"Effect":"Allow","Action":["s3:GetObject","sqs:SendMessage"],"Resource":"arn:aws:s3:::b%d/*"}`
	tests := []struct {
		name    string
		inv     *Inventory
		refused bool
	}{
		{"condition sets at the limit", roleWith(MaxConditionSets, cond), false},
		{"one condition set over", roleWith(MaxConditionSets+1, cond), true},
		{"statements at the limit", roleWith(MaxStatements, plain), false},
		{"one statement over", roleWith(MaxStatements+1, plain), true},
	}
	cat := fixtureCatalog(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.inv.Principals()[0]
			eff, err := NewExpander(cat, nil).Expand(context.Background(), p)
			var le *LimitError
			switch {
			case tc.refused && (!errors.As(err, &le) || !strings.Contains(err.Error(), p.ARN)):
				t.Fatalf("err = %v, want a *LimitError naming %s", err, p.ARN)
			case !tc.refused && (err != nil || len(eff.Grants) == 0):
				t.Fatalf("err = %v, %d grants; want it expanded", err, len(eff.Grants))
			}
		})
	}
}
