package analyze

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The stored result lists unobservable actions with their reason, at most
// MaxStoredUnobservable per principal, shared between reasons so a small
// reason is listed whole; the counts by reason stay complete.
func TestStoredJSONListsUnobservable(t *testing.T) {
	many := func(reason string, n int) []Unobservable {
		out := make([]Unobservable, n)
		for i := range out {
			out[i] = Unobservable{Action: fmt.Sprintf("s3:Act%05d", n-i), Reason: reason, Resources: []string{"*"}}
		}
		return out
	}
	tests := []struct {
		name       string
		unobs      []Unobservable
		wantListed map[string]int
		wantFirst  StoredUnobservable
	}{
		{"none", nil, map[string]int{}, StoredUnobservable{}},
		{"small", append(many("permission-only", 2), many("data-event-not-logged", 3)...),
			map[string]int{"permission-only": 2, "data-event-not-logged": 3}, StoredUnobservable{Action: "s3:Act00001", Reason: "data-event-not-logged"}},
		{"capped, small reason whole", append(many("data-event-not-logged", 5000), many("permission-only", 7)...),
			map[string]int{"data-event-not-logged": MaxStoredUnobservable - 7, "permission-only": 7}, StoredUnobservable{Action: "s3:Act00001", Reason: "data-event-not-logged"}},
		{"capped, shared evenly", append(many("data-event-not-logged", 5000), many("service-not-in-logs", 5000)...),
			map[string]int{"data-event-not-logged": MaxStoredUnobservable / 2, "service-not-in-logs": MaxStoredUnobservable / 2}, StoredUnobservable{Action: "s3:Act00001", Reason: "data-event-not-logged"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := StoredJSON(Result{PrincipalARN: "arn:aws:iam::111122223333:role/r", Unobservable: tc.unobs})
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Listed []StoredUnobservable `json:"unobservable_listed"`
				Counts map[string]int       `json:"unobservable_by_reason"`
				Full   []Unobservable       `json:"unobservable"`
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if got.Full != nil {
				t.Errorf("stored result keeps the full unobservable list (%d), want only the bounded one", len(got.Full))
			}
			listed := map[string]int{}
			for _, x := range got.Listed {
				listed[x.Reason]++
			}
			if diff := cmp.Diff(tc.wantListed, listed); diff != "" {
				t.Errorf("listed per reason (-want +got):\n%s", diff)
			}
			if len(got.Listed) > MaxStoredUnobservable {
				t.Errorf("listed %d, want at most %d", len(got.Listed), MaxStoredUnobservable)
			}
			counts := map[string]int{}
			for _, u := range tc.unobs {
				counts[u.Reason]++
			}
			if diff := cmp.Diff(counts, got.Counts); diff != "" {
				t.Errorf("counts by reason (-want +got):\n%s", diff)
			}
			if len(got.Listed) > 0 && got.Listed[0] != tc.wantFirst {
				t.Errorf("first listed = %+v, want %+v (sorted by reason, then action)", got.Listed[0], tc.wantFirst)
			}
		})
	}
}
