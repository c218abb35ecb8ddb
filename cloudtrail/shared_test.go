package cloudtrail

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSharedSamplesIdentities checks principals and outcomes on the real
// CloudTrail samples in ../shared/data/cloudtrail.
func TestSharedSamplesIdentities(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "cloudtrail")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) == 0 {
		t.Skip("no sample files")
	}
	m := NewMapper(nil)
	types := map[PrincipalType]int{}
	outcomes := map[Outcome]int{}
	arns := map[string]bool{}
	invokedBy := 0
	for _, f := range files {
		_, raws, _, err := readAll(t, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range raws {
			var rec Record
			if err := m.Normalize(raw, &rec); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			types[rec.Principal.Type]++
			outcomes[rec.Outcome]++
			arns[string(rec.Principal.Type)+" "+rec.Principal.ARN] = true
			if rec.InvokedBy != "" {
				invokedBy++
			}
		}
	}
	wantTypes := map[PrincipalType]int{
		// Counted independently with a script over the samples.
		PrincipalRole: 78, PrincipalUser: 241, PrincipalFederated: 1,
		PrincipalService: 5, PrincipalAnonymous: 22,
	}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Errorf("principal types (-want +got):\n%s", diff)
	}
	// 46 Client.UnauthorizedOperation + 10 AccessDenied; NoSuchKey and
	// EntityTemporarilyUnmodifiableException count as use.
	wantOutcomes := map[Outcome]int{OutcomeSuccess: 291, OutcomeDenied: 56}
	if diff := cmp.Diff(wantOutcomes, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if invokedBy != 5 {
		t.Errorf("%d records with InvokedBy, want 5 (the AWSService callers)", invokedBy)
	}
	for _, want := range []string{
		// Role path kept from sessionIssuer.
		"AssumedRole arn:aws:iam::653711331788:role/service-role/level1",
		"AssumedRole arn:aws:iam::844015365555:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_account-admin_599c9e90e350d2ff",
		"AWSService ecs-tasks.amazonaws.com",
		"AWSService apigateway.amazonaws.com",
		"Anonymous ",
		// A federated user is attributed to the IAM user who created it.
		"FederatedUser arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user",
		"IAMUser arn:aws:iam::206821776919:user/christophe",
	} {
		if !arns[want] {
			t.Errorf("no principal %q in the samples", want)
		}
	}
}
