# Least-privilege policy for arn:aws:iam::111122223333:role/app/app-instance-role, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (185 calls); nothing broader than the current policies = true; removes 710 of 717 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "app_instance_role_least_privilege" {
  name        = "app-instance-role-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/app/app-instance-role from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedCloudwatch"
        "Effect"   = "Allow"
        "Action"   = "cloudwatch:PutMetricData"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedEc2"
        "Effect"   = "Allow"
        "Action"   = "ec2:DescribeTags"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedKms"
        "Effect"   = "Allow"
        "Action"   = "kms:Decrypt"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:CreateLogStream"
        "Resource" = "arn:aws:logs:us-east-1:111122223333:log-group:/app/web:log-stream:*"
      },
      {
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:GetObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/config/*"
      },
      {
        "Sid"      = "UsedSsm"
        "Effect"   = "Allow"
        "Action"   = "ssm:GetParameter"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedSsm2"
        "Effect"   = "Allow"
        "Action"   = "ssm:GetParameters"
        "Resource" = "arn:aws:ssm:us-east-1:111122223333:parameter/prod/orders/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "app_instance_role_least_privilege" {
  role       = module.iam.aws_iam_role.app_instance_role.name
  policy_arn = aws_iam_policy.app_instance_role_least_privilege.arn
}
