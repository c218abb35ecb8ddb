# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/edge-router-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (43 calls); nothing broader than the current policies = true; removes 2 of 5 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "edge_router_lambda_least_privilege" {
  name        = "edge-router-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/edge-router-lambda from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedKms"
        "Effect"   = "Allow"
        "Action"   = "kms:Decrypt"
        "Resource" = "arn:aws:kms:eu-west-1:111122223333:key/0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
      },
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:CreateLogStream"
        "Resource" = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/edge-router:log-stream:*"
      },
      {
        "Sid"      = "UsedSsm"
        "Effect"   = "Allow"
        "Action"   = "ssm:GetParameter"
        "Resource" = "arn:aws:ssm:eu-west-1:111122223333:parameter/prod/edge/config"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "edge_router_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.edge_router_lambda.name
  policy_arn = aws_iam_policy.edge_router_lambda_least_privilege.arn
}
