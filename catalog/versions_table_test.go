package catalog

import (
	"strings"
	"testing"
	"time"
)

func TestWriteVersions(t *testing.T) {
	at := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := WriteVersions(&b, []Version{
		{ID: 2, Services: 3, Actions: 40, FetchedAt: at, Source: "dir", Digest: "sha256:b"},
		{ID: 1, Services: 2, Actions: 30, FetchedAt: at, Source: "url", Digest: "sha256:a"},
	}, 2)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	var two, one string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "sha256:b"):
			two = l
		case strings.Contains(l, "sha256:a"):
			one = l
		}
	}
	if !strings.Contains(two, "*") || strings.Contains(one, "*") || !strings.Contains(two, "2026-09-01T12:00:00Z") {
		t.Errorf("WriteVersions: the current version (2) must be the one marked:\n%s", b.String())
	}
}
