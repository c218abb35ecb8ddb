# Least-privilege policy for arn:aws:iam::111122223333:role/security-auditor, written by iamtrim.
# Proof: observed calls allowed = true, nothing broader than the current policies = true; removes 301 of 323 granted actions.

resource "aws_iam_policy" "security_auditor_least_privilege" {
  name        = "security-auditor-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/security-auditor from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid" = "UsedCloudtrail"
        "Effect" = "Allow"
        "Action" = "cloudtrail:DescribeTrails"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedCloudtrail2"
        "Effect" = "Allow"
        "Action" = "cloudtrail:GetEventSelectors"
        "Resource" = "arn:aws:cloudtrail:us-east-1:111122223333:trail/acme-org-trail"
      },
      {
        "Sid" = "UsedEc2"
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
        "Sid" = "UsedIam"
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
        "Sid" = "UsedKms"
        "Effect" = "Allow"
        "Action" = "kms:ListKeys"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedKms2"
        "Effect" = "Allow"
        "Action" = "kms:DescribeKey"
        "Resource" = "arn:aws:kms:eu-west-1:111122223333:key/0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
      },
      {
        "Sid" = "UsedLambda"
        "Effect" = "Allow"
        "Action" = "lambda:ListFunctions"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedLogs"
        "Effect" = "Allow"
        "Action" = "logs:DescribeLogGroups"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedS3"
        "Effect" = "Allow"
        "Action" = "s3:ListAllMyBuckets"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedS32"
        "Effect" = "Allow"
        "Action" = [
          "s3:GetBucketPolicy",
          "s3:GetBucketPublicAccessBlock",
        ]
        "Resource" = "arn:aws:s3:::acme-*"
      },
      {
        "Sid" = "UsedS33"
        "Effect" = "Allow"
        "Action" = "s3:GetBucketAcl"
        "Resource" = [
          "arn:aws:s3:::acme-build-artifacts",
          "arn:aws:s3:::acme-data-prod",
          "arn:aws:s3:::acme-logs-archive",
        ]
      },
      {
        "Sid" = "UsedS34"
        "Effect" = "Allow"
        "Action" = "s3:GetEncryptionConfiguration"
        "Resource" = [
          "arn:aws:s3:::acme-cloudtrail-111122223333",
          "arn:aws:s3:::acme-data-prod",
          "arn:aws:s3:::acme-logs-archive",
        ]
      },
      {
        "Sid" = "UsedS35"
        "Effect" = "Allow"
        "Action" = "s3:GetBucketVersioning"
        "Resource" = [
          "arn:aws:s3:::acme-cloudtrail-111122223333",
          "arn:aws:s3:::acme-data-prod",
        ]
      },
      {
        "Sid" = "UsedSecretsmanager"
        "Effect" = "Allow"
        "Action" = "secretsmanager:ListSecrets"
        "Resource" = "*"
      },
    ]
  })
}
