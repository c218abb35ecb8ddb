# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/batch-scheduler, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (73 calls); nothing broader than the current policies = true; removes 2 of 10 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "batch_scheduler_least_privilege" {
  name        = "batch-scheduler-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/batch-scheduler from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedCodebuild"
        "Effect" = "Allow"
        "Action" = [
          "codebuild:BatchGetBuilds",
          "codebuild:StartBuild",
        ]
        "Resource" = "arn:aws:codebuild:us-east-1:111122223333:project/nightly-images"
      },
      {
        "Sid"      = "UsedDynamodb"
        "Effect"   = "Allow"
        "Action"   = "dynamodb:ExportTableToPointInTime"
        "Resource" = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
      },
      {
        "Sid"      = "UsedEcs"
        "Effect"   = "Allow"
        "Action"   = "ecs:RunTask"
        "Resource" = "arn:aws:ecs:us-east-1:111122223333:task-definition/nightly-batch:*"
      },
      {
        "Sid"      = "UsedEcs2"
        "Effect"   = "Allow"
        "Action"   = "ecs:DescribeTasks"
        "Resource" = "arn:aws:ecs:us-east-1:111122223333:task/batch/*"
      },
      {
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:PutObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/events/*"
      },
      {
        "Sid"      = "UsedStates"
        "Effect"   = "Allow"
        "Action"   = "states:DescribeExecution"
        "Resource" = "arn:aws:states:us-east-1:111122223333:execution:nightly-etl:*"
      },
      {
        "Sid"      = "UsedStates2"
        "Effect"   = "Allow"
        "Action"   = "states:StartExecution"
        "Resource" = "arn:aws:states:us-east-1:111122223333:stateMachine:nightly-etl"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "batch_scheduler_least_privilege" {
  role       = module.iam.aws_iam_role.batch_scheduler.name
  policy_arn = aws_iam_policy.batch_scheduler_least_privilege.arn
}
