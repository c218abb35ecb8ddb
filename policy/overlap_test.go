package policy

import (
	"strings"
	"testing"
)

func TestPatternsOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"arn:aws:iam::*:role/app/task-echo", "arn:aws:iam::111122223333:role/app/task-*", true},
		{"arn:aws:iam::222233334444:role/app/task-echo", "arn:aws:iam::111122223333:role/app/task-*", false},
		{"arn:aws:iam::*:role/app/other", "arn:aws:iam::111122223333:role/app/task-echo", false},
		// '*' runs past colons (MatchResource's whole-string reading), so
		// "…:111122223333:role/app/task-x:role/app/other" matches both.
		{"arn:aws:iam::*:role/app/other", "arn:aws:iam::111122223333:role/app/task-*", true},
		{"arn:aws:s3:::b/uploads/*", "arn:aws:s3:::b/*/x.csv", true},
		{"arn:aws:s3:::b/up*", "arn:aws:s3:::b/down*", false},
		{"arn:aws:dynamodb:*:1:table/t", "arn:aws:dynamodb:us-east-1:1:table/*", true},
		{"arn:aws:dynamodb:us-west-2:1:table/t", "arn:aws:dynamodb:us-east-1:1:table/*", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*", "*b", true},
		{"a*b", "a*c", false},
		{"*", "anything", true},
		{"", "", true},
		{"", "*", true},
		{"", "?", false},
		{"arn:aws:iam::1:role/${aws:username}", "arn:aws:iam::1:role/x", true}, // conservative
	} {
		if got := PatternsOverlap(c.a, c.b); got != c.want {
			t.Errorf("PatternsOverlap(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := PatternsOverlap(c.b, c.a); got != c.want {
			t.Errorf("PatternsOverlap(%q, %q) = %v, want %v (symmetric)", c.b, c.a, got, c.want)
		}
	}
	// Whenever one matches the other as text, they overlap.
	for _, p := range []string{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k?y", "arn:aws:s3:::*"} {
		for _, s := range []string{"arn:aws:s3:::b/key", "arn:aws:s3:::c/key"} {
			if MatchResource(p, s) && !PatternsOverlap(p, s) {
				t.Errorf("%q matches %q but PatternsOverlap says no", p, s)
			}
		}
	}
	// Bounded: a pair too long to compare answers true at once.
	long := strings.Repeat("a*", 3000)
	if !PatternsOverlap(long, long+"b") {
		t.Error("over the bound: want the conservative true")
	}
}
