# Least-privilege policy for arn:aws:iam::111122223333:role/sandbox/dev-sandbox, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (95 calls); nothing broader than the current policies = true; removes 304 of 312 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.
# Note: granted actions blocked by SCPs: 1 (s3:DeleteBucket: denied by testdata/cli/authz-list/scp.json Sid NoBucketDeletion): not effective, so not kept; the policy relies on no SCP

resource "aws_iam_policy" "dev_sandbox_least_privilege" {
  name        = "dev-sandbox-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/sandbox/dev-sandbox from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedDynamodb"
        "Effect"   = "Allow"
        "Action"   = "dynamodb:DescribeTable"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedLambda"
        "Effect"   = "Allow"
        "Action"   = "lambda:ListFunctions"
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedLambda2"
        "Effect" = "Allow"
        "Action" = "lambda:GetFunction"
        "Resource" = [
          "arn:aws:lambda:eu-west-1:111122223333:function:edge-router",
          "arn:aws:lambda:us-east-1:111122223333:function:nightly-report",
          "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer",
        ]
      },
      {
        "Sid"      = "UsedLambda3"
        "Effect"   = "Allow"
        "Action"   = "lambda:InvokeFunction"
        "Resource" = "arn:aws:lambda:us-east-1:111122223333:function:orders-api"
      },
      {
        "Sid"    = "UsedLogs"
        "Effect" = "Allow"
        "Action" = "logs:FilterLogEvents"
        "Resource" = [
          "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/edge-router",
          "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/*",
        ]
      },
      {
        "Sid"    = "UsedS3"
        "Effect" = "Allow"
        "Action" = [
          "s3:ListAllMyBuckets",
          "s3:ListBucket",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedS32"
        "Effect"   = "Allow"
        "Action"   = "s3:GetObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/reports/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "dev_sandbox_least_privilege" {
  role       = module.iam.aws_iam_role.dev_sandbox.name
  policy_arn = aws_iam_policy.dev_sandbox_least_privilege.arn
}
