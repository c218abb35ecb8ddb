# Least-privilege policy for arn:aws:iam::111122223333:role/ci/ci-deployer, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (94 calls); nothing broader than the current policies = true; removes 190 of 205 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.
# Note: granted actions blocked by SCPs: 1 (s3:DeleteBucket: denied by testdata/cli/authz-list/scp.json Sid NoBucketDeletion): not effective, so not kept; the policy relies on no SCP

resource "aws_iam_policy" "ci_deployer_least_privilege" {
  name        = "ci-deployer-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/ci/ci-deployer from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedCloudformation"
        "Effect" = "Allow"
        "Action" = [
          "cloudformation:DescribeChangeSet",
          "cloudformation:DescribeStackEvents",
          "cloudformation:DescribeStacks",
          "cloudformation:GetTemplate",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedCloudformation2"
        "Effect" = "Allow"
        "Action" = [
          "cloudformation:CreateChangeSet",
          "cloudformation:ExecuteChangeSet",
          "cloudformation:UpdateStack",
        ]
        "Resource" = "arn:aws:cloudformation:us-east-1:111122223333:stack/orders-service/*"
      },
      {
        "Sid"    = "UsedEcs"
        "Effect" = "Allow"
        "Action" = [
          "ecs:DescribeTaskDefinition",
          "ecs:RegisterTaskDefinition",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedIam"
        "Effect"   = "Allow"
        "Action"   = "iam:GetRole"
        "Resource" = "arn:aws:iam::111122223333:role/service-role/*"
      },
      {
        "Sid"      = "UsedLambda"
        "Effect"   = "Allow"
        "Action"   = "lambda:ListVersionsByFunction"
        "Resource" = "*"
      },
      {
        "Sid"    = "UsedLambda2"
        "Effect" = "Allow"
        "Action" = [
          "lambda:GetFunction",
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
        ]
        "Resource" = "arn:aws:lambda:us-east-1:111122223333:function:orders-api"
      },
      {
        "Sid"      = "PassRoleObserved"
        "Effect"   = "Allow"
        "Action"   = "iam:PassRole"
        "Resource" = "arn:aws:iam::111122223333:role/ecs/ecs-web-task"
        "Condition" = {
          "StringEquals" = {
            "iam:PassedToService" = "ecs-tasks.amazonaws.com"
          }
        }
      },
      {
        "Sid"      = "PassRoleObserved2"
        "Effect"   = "Allow"
        "Action"   = "iam:PassRole"
        "Resource" = "arn:aws:iam::111122223333:role/service-role/orders-api-lambda"
        "Condition" = {
          "StringEquals" = {
            "iam:PassedToService" = "lambda.amazonaws.com"
          }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ci_deployer_least_privilege" {
  role       = module.iam.aws_iam_role.ci_deployer.name
  policy_arn = aws_iam_policy.ci_deployer_least_privilege.arn
}
