# Least-privilege policy for arn:aws:iam::111122223333:role/ci/github-actions-plan, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (131 calls); nothing broader than the current policies = true; removes 314 of 326 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "github_actions_plan_least_privilege" {
  name        = "github-actions-plan-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/ci/github-actions-plan from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcs",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedIam"
        "Effect" = "Allow"
        "Action" = [
          "iam:GetPolicy",
          "iam:GetPolicyVersion",
          "iam:GetRole",
          "iam:ListAttachedRolePolicies",
          "iam:ListRolePolicies",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedLambda"
        "Effect" = "Allow"
        "Action" = [
          "lambda:GetPolicy",
          "lambda:ListVersionsByFunction",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedLambda2"
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
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:GetBucketPolicy"
        "Resource" = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "github_actions_plan_least_privilege" {
  role       = module.iam.aws_iam_role.github_actions_plan.name
  policy_arn = aws_iam_policy.github_actions_plan_least_privilege.arn
}
