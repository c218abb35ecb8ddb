package recommend

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/policy"
)

func recSet(rec *Recommendation) policy.PolicySet {
	set := policy.PolicySet{}
	for _, d := range rec.Policies {
		set.Identity = append(set.Identity, policy.NamedPolicy{Name: "rec", Kind: policy.KindManaged, Doc: d})
	}
	return set
}

// A successful call that maps to no IAM action is never a silent hole:
// the recommendation keeps the current grant of its service, says why,
// and the proof names it; with --unmapped fail the proof fails instead.
func TestUnmappedCallsKeepTheirService(t *testing.T) {
	last := time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)
	s3Call := analyze.UnmappedCall{EventSource: "s3.amazonaws.com", EventName: "DeleteBucketThing", Service: "s3", Calls: 10, LastSeen: last}
	tests := []struct {
		name       string
		calls      []analyze.UnmappedCall
		mode       string
		wantProven bool
		wantKept   bool
	}{
		{"kept", []analyze.UnmappedCall{s3Call}, "", true, true},
		{"fail", []analyze.UnmappedCall{s3Call}, UnmappedFail, false, false},
		// No identity grant of the service: a resource policy allowed the
		// call, and the recommendation cannot take that away.
		{"service not granted", []analyze.UnmappedCall{{EventSource: "kms.amazonaws.com", EventName: "NewThing", Service: "kms", Calls: 2, LastSeen: last}}, "", true, false},
		// A source whose service cannot be told: nothing can be kept for it.
		{"unknown service", []analyze.UnmappedCall{{EventSource: "??", EventName: "X", Calls: 1, LastSeen: last}}, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.in.Result.Unmapped = tc.calls
			rec, err := Recommend(context.Background(), f.in, Options{Unmapped: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Proof.Proven != tc.wantProven {
				t.Errorf("proven %v, want %v:\n%s", rec.Proof.Proven, tc.wantProven, Summary(rec))
			}
			if len(rec.Proof.Unmapped) != len(tc.calls) {
				t.Errorf("proof names %v, want the %d unmapped calls", rec.Proof.Unmapped, len(tc.calls))
			}
			sum := Summary(rec)
			for _, c := range tc.calls {
				if !strings.Contains(sum, c.EventSource+" "+c.EventName) {
					t.Errorf("summary does not name %s %s:\n%s", c.EventSource, c.EventName, sum)
				}
			}
			var note *StatementNote
			for i, n := range rec.Statements {
				if n.Kind == "unmapped" {
					note = &rec.Statements[i]
				}
			}
			if (note != nil) != tc.wantKept {
				t.Fatalf("KeptUnmapped statement present %v, want %v: %+v", note != nil, tc.wantKept, rec.Statements)
			}
			if !tc.wantKept {
				return
			}
			if !strings.HasPrefix(note.Sid, "KeptUnmapped") || !strings.Contains(note.Evidence, "DeleteBucketThing") {
				t.Errorf("note %+v: want a KeptUnmapped statement naming the event", note)
			}
			// Every s3 action granted now is still allowed on its scope,
			// unused ones included (one of them is what the call needed).
			set := recSet(rec)
			for _, c := range []struct{ action, res string }{
				{"s3:GetObjectAcl", "arn:aws:s3:::data/x"},
				{"s3:PutObject", "arn:aws:s3:::data/y"},
				{"s3:ListBucket", "arn:aws:s3:::any"},
			} {
				if d := policy.Evaluate(set, policy.Request{Action: c.action, Resource: c.res}); d.Effect != policy.Allow {
					t.Errorf("%s on %s not allowed: %s", c.action, c.res, d.Reason)
				}
			}
			if slices.Contains(rec.Proof.RemovedByAccessLevel["Write"], "s3:PutObject") {
				t.Errorf("s3:PutObject removed though an unmapped s3 call may need it")
			}
		})
	}
	if err := (Options{Unmapped: "maybe"}).Validate(); err == nil {
		t.Error("unknown unmapped policy accepted")
	}
}
