# Least-privilege policy for arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (111 calls); nothing broader than the current policies = true; removes 824 of 836 granted actions.
# Window: 90 days.
# WARNING: an IAM Identity Center role: apply the change to its permission set, not to the role, which Identity Center overwrites
# Note: granted actions blocked by SCPs: 1 (s3:DeleteBucket: denied by testdata/cli/authz-list/scp.json Sid NoBucketDeletion): not effective, so not kept; the policy relies on no SCP

resource "aws_iam_policy" "awsreservedsso_administratoraccess_4f1c2e9a7b3d5e60_least_privilege" {
  name        = "AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60 from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedCloudtrail"
        "Effect" = "Allow"
        "Action" = [
          "cloudtrail:GetTrailStatus",
          "cloudtrail:LookupEvents",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:DescribeInstances",
          "ec2:DescribeSecurityGroups",
          "ec2:StopInstances",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedIam"
        "Effect" = "Allow"
        "Action" = [
          "iam:GetPolicyVersion",
          "iam:GetRole",
          "iam:ListAttachedRolePolicies",
          "iam:ListPolicyVersions",
          "iam:ListRoles",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedKms"
        "Effect"   = "Allow"
        "Action"   = "kms:DescribeKey"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:GetBucketPolicy"
        "Resource" = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "awsreservedsso_administratoraccess_4f1c2e9a7b3d5e60_least_privilege" {
  role       = module.iam.aws_iam_role.awsreservedsso_administratoraccess_4f1c2e9a7b3d5e60.name
  policy_arn = aws_iam_policy.awsreservedsso_administratoraccess_4f1c2e9a7b3d5e60_least_privilege.arn
}
