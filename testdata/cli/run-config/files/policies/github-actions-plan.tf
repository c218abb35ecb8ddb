# Least-privilege policy for arn:aws:iam::111122223333:role/ci/github-actions-plan, written by iamtrim.
# Proof: observed calls allowed = true, nothing broader than the current policies = true; removes 314 of 326 granted actions.

resource "aws_iam_policy" "github_actions_plan_least_privilege" {
  name        = "github-actions-plan-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/ci/github-actions-plan from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid" = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcs",
        ]
        "Resource" = "*"
      },
      {
        "Sid" = "UsedIam"
        "Effect" = "Allow"
        "Action" = "iam:GetPolicy"
        "Resource" = [
          "arn:aws:iam::111122223333:policy/app/OrdersDataAccess",
          "arn:aws:iam::111122223333:policy/boundaries/DeveloperBoundary",
          "arn:aws:iam::aws:policy/*",
        ]
      },
      {
        "Sid" = "UsedIam2"
        "Effect" = "Allow"
        "Action" = "iam:GetPolicyVersion"
        "Resource" = [
          "arn:aws:iam::111122223333:policy/app/OrdersDataAccess",
          "arn:aws:iam::aws:policy/*",
        ]
      },
      {
        "Sid" = "UsedIam3"
        "Effect" = "Allow"
        "Action" = [
          "iam:GetRole",
          "iam:ListAttachedRolePolicies",
        ]
        "Resource" = "arn:aws:iam::111122223333:role/*"
      },
      {
        "Sid" = "UsedIam4"
        "Effect" = "Allow"
        "Action" = "iam:ListRolePolicies"
        "Resource" = [
          "arn:aws:iam::111122223333:role/service-role/fleet-scaler-lambda",
          "arn:aws:iam::111122223333:role/service-role/invoice-pdf-lambda",
        ]
      },
      {
        "Sid" = "UsedLambda"
        "Effect" = "Allow"
        "Action" = "lambda:GetFunction"
        "Resource" = [
          "arn:aws:lambda:eu-west-1:111122223333:function:edge-router",
          "arn:aws:lambda:us-east-1:111122223333:function:nightly-report",
          "arn:aws:lambda:us-east-1:111122223333:function:orders-api",
          "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer",
        ]
      },
      {
        "Sid" = "UsedLambda2"
        "Effect" = "Allow"
        "Action" = "lambda:GetPolicy"
        "Resource" = [
          "arn:aws:lambda:eu-west-1:111122223333:function:edge-router",
          "arn:aws:lambda:us-east-1:111122223333:function:nightly-report",
          "arn:aws:lambda:us-east-1:111122223333:function:orders-api",
        ]
      },
      {
        "Sid" = "UsedLambda3"
        "Effect" = "Allow"
        "Action" = "lambda:ListVersionsByFunction"
        "Resource" = [
          "arn:aws:lambda:eu-west-1:111122223333:function:edge-router",
          "arn:aws:lambda:us-east-1:111122223333:function:nightly-report",
          "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer",
        ]
      },
      {
        "Sid" = "UsedS3"
        "Effect" = "Allow"
        "Action" = "s3:GetBucketPolicy"
        "Resource" = [
          "arn:aws:s3:::acme-cloudtrail-111122223333",
          "arn:aws:s3:::acme-logs-archive",
        ]
      },
    ]
  })
}
