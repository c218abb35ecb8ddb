# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/orders-api-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (326 calls); nothing broader than the current policies = true; removes 91 of 100 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "orders_api_lambda_least_privilege" {
  name        = "orders-api-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/orders-api-lambda from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedDynamodb"
        "Effect" = "Allow"
        "Action" = [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:Query",
          "dynamodb:UpdateItem",
        ]
        "Resource" = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
      },
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:CreateLogStream"
        "Resource" = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/orders-api:log-stream:*"
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
        "Sid"      = "UsedSqs"
        "Effect"   = "Allow"
        "Action"   = "sqs:GetQueueUrl"
        "Resource" = "arn:aws:sqs:us-east-1:111122223333:order-events"
      },
      {
        "Sid"      = "UsedSsm"
        "Effect"   = "Allow"
        "Action"   = "ssm:GetParameter"
        "Resource" = "arn:aws:ssm:us-east-1:111122223333:parameter/prod/orders/db-host"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "orders_api_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.orders_api_lambda.name
  policy_arn = aws_iam_policy.orders_api_lambda_least_privilege.arn
}
