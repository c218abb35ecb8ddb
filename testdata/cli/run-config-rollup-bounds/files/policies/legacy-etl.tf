# Least-privilege policy for arn:aws:iam::111122223333:role/legacy/legacy-etl, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (0 calls); nothing broader than the current policies = true; removes 117 of 117 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.
# Note: nothing to grant: no call was observed and nothing is kept; consider deleting the principal
# Note: granted actions blocked by SCPs: 1 (s3:DeleteBucket: denied by testdata/cli/authz-list/scp.json Sid NoBucketDeletion): not effective, so not kept; the policy relies on no SCP
