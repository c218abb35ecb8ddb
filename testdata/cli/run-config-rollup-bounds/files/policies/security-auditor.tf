# Least-privilege policy for arn:aws:iam::111122223333:role/security-auditor, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (501 calls); nothing broader than the current policies = true; removes 301 of 323 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "security_auditor_least_privilege" {
  name        = "security-auditor-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/security-auditor from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedCloudtrail"
        "Effect" = "Allow"
        "Action" = [
          "cloudtrail:DescribeTrails",
          "cloudtrail:GetEventSelectors",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:DescribeInstances",
          "ec2:DescribeRegions",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeVolumes",
          "ec2:DescribeVpcs",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedIam"
        "Effect" = "Allow"
        "Action" = [
          "iam:GetAccountAuthorizationDetails",
          "iam:ListPolicies",
          "iam:ListRoles",
          "iam:ListUsers",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedKms"
        "Effect" = "Allow"
        "Action" = [
          "kms:DescribeKey",
          "kms:ListKeys",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedLambda"
        "Effect"   = "Allow"
        "Action"   = "lambda:ListFunctions"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:DescribeLogGroups"
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedS3"
        "Effect" = "Allow"
        "Action" = [
          "s3:GetBucketAcl",
          "s3:GetBucketPolicy",
          "s3:GetBucketPublicAccessBlock",
          "s3:GetBucketVersioning",
          "s3:GetEncryptionConfiguration",
          "s3:ListAllMyBuckets",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedSecretsmanager"
        "Effect"   = "Allow"
        "Action"   = "secretsmanager:ListSecrets"
        "Resource" = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "security_auditor_least_privilege" {
  role       = module.iam.aws_iam_role.security_auditor.name
  policy_arn = aws_iam_policy.security_auditor_least_privilege.arn
}
