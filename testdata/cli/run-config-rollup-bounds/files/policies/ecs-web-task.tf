# Least-privilege policy for arn:aws:iam::111122223333:role/ecs/ecs-web-task, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (27 calls); nothing broader than the current policies = true; removes 50 of 54 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "ecs_web_task_least_privilege" {
  name        = "ecs-web-task-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/ecs/ecs-web-task from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
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
        "Sid"      = "UsedSecretsmanager"
        "Effect"   = "Allow"
        "Action"   = "secretsmanager:GetSecretValue"
        "Resource" = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/db-password-??????"
      },
      {
        "Sid"      = "UsedSsm"
        "Effect"   = "Allow"
        "Action"   = "ssm:GetParameters"
        "Resource" = "arn:aws:ssm:us-east-1:111122223333:parameter/prod/orders/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ecs_web_task_least_privilege" {
  role       = module.iam.aws_iam_role.ecs_web_task.name
  policy_arn = aws_iam_policy.ecs_web_task_least_privilege.arn
}
