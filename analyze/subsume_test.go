package analyze

import (
	"maps"
	"testing"
)

func TestSubsume(t *testing.T) {
	const role = "arn:aws:iam::111122223333:role/"
	au := &ActionUsage{
		Resources: map[string]int64{
			role + "app/a":                  2,
			role + "app/*":                  5,
			role + "*":                      1, // covers app/* and app/a: the widest
			"arn:aws:iam::111122223333:*":   1, // no kind: not a pattern
			"arn:aws:s3:::bucket/x":         1,
			"arn:aws:s3:::bucket/logs/*":    3,
			"arn:aws:s3:::bucket/logs/2026": 4,
		},
		DeniedResources: map[string]int64{
			role + "b":                      3, // denied only, under role/* all the same
			"arn:aws:s3:::bucket/logs/2025": 1,
			"arn:aws:s3:::other/key":        2,
		},
	}
	au.subsume()
	if want := map[string]int64{role + "*": 8, "arn:aws:iam::111122223333:*": 1, "arn:aws:s3:::bucket/x": 1, "arn:aws:s3:::bucket/logs/*": 7}; !maps.Equal(au.Resources, want) {
		t.Errorf("Resources %v, want %v", au.Resources, want)
	}
	if want := map[string]int64{role + "*": 3, "arn:aws:s3:::bucket/logs/*": 1, "arn:aws:s3:::other/key": 2}; !maps.Equal(au.DeniedResources, want) {
		t.Errorf("DeniedResources %v, want %v", au.DeniedResources, want)
	}

	// Nothing to fold into: unchanged, the overflow row "*" included.
	plain := &ActionUsage{Resources: map[string]int64{"*": 4, role + "a": 1}, DeniedResources: map[string]int64{}}
	plain.subsume()
	if want := map[string]int64{"*": 4, role + "a": 1}; !maps.Equal(plain.Resources, want) {
		t.Errorf("Resources %v, want %v", plain.Resources, want)
	}
}
