# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/thumbnailer-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (164 calls); nothing broader than the current policies = true; removes 96 of 100 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.
# Note: granted actions blocked by SCPs: 1 (s3:DeleteBucket: denied by testdata/cli/authz-list/scp.json Sid NoBucketDeletion): not effective, so not kept; the policy relies on no SCP

resource "aws_iam_policy" "thumbnailer_lambda_least_privilege" {
  name        = "thumbnailer-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/thumbnailer-lambda from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:CreateLogStream"
        "Resource" = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/thumbnailer:log-stream:*"
      },
      {
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:ListBucket"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedS32"
        "Effect"   = "Allow"
        "Action"   = "s3:GetObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/images/*"
      },
      {
        "Sid"      = "UsedS33"
        "Effect"   = "Allow"
        "Action"   = "s3:PutObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/thumbnails/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "thumbnailer_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.thumbnailer_lambda.name
  policy_arn = aws_iam_policy.thumbnailer_lambda_least_privilege.arn
}
