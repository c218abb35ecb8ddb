# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/fleet-scaler-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (36 calls); nothing broader than the current policies = true; removes 10 of 15 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "fleet_scaler_lambda_least_privilege" {
  name        = "fleet-scaler-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/fleet-scaler-lambda from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:CreateTags",
          "ec2:DescribeInstances",
          "ec2:RunInstances",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedEc22"
        "Effect"   = "Allow"
        "Action"   = "ec2:TerminateInstances"
        "Resource" = "arn:aws:ec2:us-east-1:111122223333:instance/*"
      },
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:CreateLogStream"
        "Resource" = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fleet-scaler:log-stream:*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "fleet_scaler_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.fleet_scaler_lambda.name
  policy_arn = aws_iam_policy.fleet_scaler_lambda_least_privilege.arn
}
