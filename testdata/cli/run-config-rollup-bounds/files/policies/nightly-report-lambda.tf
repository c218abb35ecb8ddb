# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/nightly-report-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (55 calls); nothing broader than the current policies = true; removes 41 of 44 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "nightly_report_lambda_least_privilege" {
  name        = "nightly-report-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/nightly-report-lambda from observed CloudTrail use (iamtrim)"
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
        "Sid"      = "UsedDynamodb"
        "Effect"   = "Allow"
        "Action"   = "dynamodb:Scan"
        "Resource" = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
      },
      {
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:PutObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/reports/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "nightly_report_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.nightly_report_lambda.name
  policy_arn = aws_iam_policy.nightly_report_lambda_least_privilege.arn
}
