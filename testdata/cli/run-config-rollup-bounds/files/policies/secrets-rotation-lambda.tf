# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/secrets-rotation-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (33 calls); nothing broader than the current policies = true; removes 22 of 28 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "secrets_rotation_lambda_least_privilege" {
  name        = "secrets-rotation-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/secrets-rotation-lambda from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedKms"
        "Effect"   = "Allow"
        "Action"   = "kms:Decrypt"
        "Resource" = "arn:aws:kms:us-east-1:111122223333:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0"
      },
      {
        "Sid"      = "UsedSecretsmanager"
        "Effect"   = "Allow"
        "Action"   = "secretsmanager:GetRandomPassword"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedSecretsmanager2"
        "Effect"   = "Allow"
        "Action"   = "secretsmanager:DescribeSecret"
        "Resource" = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/*"
      },
      {
        "Sid"    = "UsedSecretsmanager3"
        "Effect" = "Allow"
        "Action" = [
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ]
        "Resource" = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/db-password-??????"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "secrets_rotation_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.secrets_rotation_lambda.name
  policy_arn = aws_iam_policy.secrets_rotation_lambda_least_privilege.arn
}
