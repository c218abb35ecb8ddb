package recommend

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGeneralize(t *testing.T) {
	tests := []struct {
		name string
		rule Generalize
		in   []string
		want []string
	}{
		{"object keys to a prefix", DefaultGeneralize,
			[]string{"arn:aws:s3:::b/reports/2026/q3.csv", "arn:aws:s3:::b/reports/2026/q2.csv", "arn:aws:s3:::b/top.txt"},
			[]string{"arn:aws:s3:::b/reports/*", "arn:aws:s3:::b/top.txt"}},
		{"depth 0 keeps objects", Generalize{}, []string{"arn:aws:s3:::b/a/b"}, []string{"arn:aws:s3:::b/a/b"}},
		{"buckets stay", DefaultGeneralize, []string{"arn:aws:s3:::b"}, []string{"arn:aws:s3:::b"}},
		{"few tables stay", DefaultGeneralize,
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders", "arn:aws:dynamodb:us-east-1:1:table/users"},
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders", "arn:aws:dynamodb:us-east-1:1:table/users"}},
		{"many tables collapse to their common prefix", Generalize{CollapseAt: 3},
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders-2026-01", "arn:aws:dynamodb:us-east-1:1:table/orders-2026-02", "arn:aws:dynamodb:us-east-1:1:table/orders-2025-12"},
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders-202*"}},
		{"collapse never crosses the type", Generalize{CollapseAt: 2},
			[]string{"arn:aws:sqs:us-east-1:1:a", "arn:aws:sqs:us-east-1:1:b"},
			[]string{"arn:aws:sqs:us-east-1:1:a", "arn:aws:sqs:us-east-1:1:b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range tc.rule.generalize(tc.in) {
				got = append(got, c.pattern)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
