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
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders-*"}},
		{"one log stream is still scoped to its group", DefaultGeneralize,
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:2026/01/02/[$LATEST]4c1f0e2b9d8a7c6b"},
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:*"}},
		{"dated keys with exact objects", Generalize{},
			[]string{"arn:aws:s3:::lake/events/dt=2026-01-02/part-0001.parquet", "arn:aws:s3:::lake/events/dt=2026-01-03/part-0000.parquet"},
			[]string{"arn:aws:s3:::lake/events/*"}},
		{"tasks of several clusters collapse to the type", Generalize{CollapseAt: 2},
			[]string{"arn:aws:ecs:us-east-1:1:task/web/0a1b2c3d4e5f40718293a4b5c6d7e8f9", "arn:aws:ecs:us-east-1:1:task/api/9f8e7d6c5b4a40718293a4b5c6d7e8f9", "arn:aws:ecs:us-east-1:1:task/api/1f8e7d6c5b4a40718293a4b5c6d7e8f9"},
			[]string{"arn:aws:ecs:us-east-1:1:task/*"}},
		{"collapse never crosses the type", Generalize{CollapseAt: 2},
			[]string{"arn:aws:sqs:us-east-1:1:a", "arn:aws:sqs:us-east-1:1:b"},
			[]string{"arn:aws:sqs:us-east-1:1:a", "arn:aws:sqs:us-east-1:1:b"}},
		{"data reads: siblings under a named parent become the parent", Generalize{siblings: true},
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/orders-api", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/thumbnailer", "arn:aws:logs:us-east-1:1:log-group:/ecs/web"},
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/*", "arn:aws:logs:us-east-1:1:log-group:/ecs/web"}},
		{"data reads: one resource under a parent stays exact", Generalize{siblings: true},
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/orders-api", "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/edge-router"},
			[]string{"arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/edge-router", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/orders-api"}},
		{"data reads: the type prefix is no parent", Generalize{siblings: true},
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders", "arn:aws:dynamodb:us-east-1:1:table/users", "arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf", "arn:aws:secretsmanager:us-east-1:1:secret:prod/api-GhIjKl"},
			[]string{"arn:aws:dynamodb:us-east-1:1:table/orders", "arn:aws:dynamodb:us-east-1:1:table/users", "arn:aws:secretsmanager:us-east-1:1:secret:prod/*"}},
		{"data reads: no parent with a minted token", Generalize{siblings: true},
			[]string{"arn:aws:ssm:us-east-1:1:parameter/run-20260102/a", "arn:aws:ssm:us-east-1:1:parameter/run-20260102/b"},
			[]string{"arn:aws:ssm:us-east-1:1:parameter/run-20260102/a", "arn:aws:ssm:us-east-1:1:parameter/run-20260102/b"}},
		{"siblings are not merged outside data reads", Generalize{},
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/orders-api", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/thumbnailer"},
			[]string{"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/orders-api", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/thumbnailer"}},
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
