# Least-privilege policy for arn:aws:iam::111122223333:role/partner-audit-readonly, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (8 calls); nothing broader than the current policies = true; removes 319 of 323 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "partner_audit_readonly_least_privilege" {
  name        = "partner-audit-readonly-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/partner-audit-readonly from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedEc2"
        "Effect"   = "Allow"
        "Action"   = "ec2:DescribeInstances"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedIam"
        "Effect"   = "Allow"
        "Action"   = "iam:ListRoles"
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedS3"
        "Effect" = "Allow"
        "Action" = [
          "s3:GetBucketPolicy",
          "s3:ListAllMyBuckets",
        ]
        "Resource" = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "partner_audit_readonly_least_privilege" {
  role       = module.iam.aws_iam_role.partner_audit_readonly.name
  policy_arn = aws_iam_policy.partner_audit_readonly_least_privilege.arn
}
