# Least-privilege policy for arn:aws:iam::111122223333:role/ops/backup-operator, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (11 calls); nothing broader than the current policies = true; removes 47 of 50 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "backup_operator_least_privilege" {
  name        = "backup-operator-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/ops/backup-operator from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedDynamodb"
        "Effect" = "Allow"
        "Action" = [
          "dynamodb:DescribeContinuousBackups",
          "dynamodb:ListBackups",
        ]
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedDynamodb2"
        "Effect"   = "Allow"
        "Action"   = "dynamodb:CreateBackup"
        "Resource" = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "backup_operator_least_privilege" {
  role       = module.iam.aws_iam_role.backup_operator.name
  policy_arn = aws_iam_policy.backup_operator_least_privilege.arn
}
