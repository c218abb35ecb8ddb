package catalog

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/store/storetest"
)

// benchPatterns mixes what policies hold: exact names, service wildcards,
// prefixes, suffixes, "?" and cross-service patterns.
var benchPatterns = []string{
	"s3:GetObject", "S3:getobject", "s3:*", "s3:Get*", "s3:*Object*", "ec2:Describe*",
	"ec2:*Vpc*", "iam:Pass?ole", "iam:*", "kms:Decrypt", "*:List*", "logs:Put*",
	"dynamodb:Batch*", "sqs:*Message", "lambda:InvokeFunction", "sts:AssumeRole",
}

func BenchmarkLoadDir(b *testing.B) {
	dir, _ := fullCatalogDir(b)
	for b.Loop() {
		if _, err := LoadDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpand is the steady state: patterns repeat across the
// statements of an account's policies, so most calls hit the cache.
func BenchmarkExpand(b *testing.B) {
	c, _ := loadFull(b)
	i := 0
	for b.Loop() {
		c.Expand(benchPatterns[i%len(benchPatterns)])
		i++
	}
}

// BenchmarkExpandUncached measures the index itself, every call a miss.
func BenchmarkExpandUncached(b *testing.B) {
	c, _ := loadFull(b)
	for _, p := range benchPatterns {
		b.Run(p, func(b *testing.B) {
			lp := strings.ToLower(p) // expand takes the lower-cased pattern
			if len(c.expand(lp)) == 0 {
				b.Fatalf("%s matches nothing", p)
			}
			for b.Loop() {
				c.expand(lp)
			}
		})
	}
}

// BenchmarkCount is Expand for callers that need only the size.
func BenchmarkCount(b *testing.B) {
	c, _ := loadFull(b)
	i := 0
	for b.Loop() {
		c.Count(benchPatterns[i%len(benchPatterns)])
		i++
	}
}

func BenchmarkAction(b *testing.B) {
	c, _ := loadFull(b)
	names := []string{"s3:GetObject", "EC2:describeinstances", "iam:PassRole", "nope:Nothing"}
	i := 0
	for b.Loop() {
		c.Action(names[i%len(names)])
		i++
	}
}

// BenchmarkStore writes the full catalog as a new version each iteration.
func BenchmarkStore(b *testing.B) {
	c, _ := loadFull(b)
	db := storetest.New(b)
	ctx := context.Background()
	orig := c.version.Digest
	n := 0
	for b.Loop() {
		n++
		c.version.Digest = fmt.Sprintf("%s-bench-%d", orig, n) // defeat idempotence
		if _, err := Store(ctx, db, c, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	c.version.Digest = orig
}

func BenchmarkLoadCurrent(b *testing.B) {
	c, _ := loadFull(b)
	db := storetest.New(b)
	ctx := context.Background()
	if _, err := Store(ctx, db, c, "bench"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadCurrent(ctx, db); err != nil {
			b.Fatal(err)
		}
	}
}
