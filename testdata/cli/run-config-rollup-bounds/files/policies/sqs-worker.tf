# Least-privilege policy for arn:aws:iam::111122223333:role/app/sqs-worker, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (73 calls); nothing broader than the current policies = true; removes 68 of 73 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "sqs_worker_least_privilege" {
  name        = "sqs-worker-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/app/sqs-worker from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedDynamodb"
        "Effect" = "Allow"
        "Action" = [
          "dynamodb:GetItem",
          "dynamodb:UpdateItem",
        ]
        "Resource" = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
      },
      {
        "Sid"      = "UsedKms"
        "Effect"   = "Allow"
        "Action"   = "kms:Decrypt"
        "Resource" = "arn:aws:kms:us-east-1:111122223333:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0"
      },
      {
        "Sid"    = "UsedSqs"
        "Effect" = "Allow"
        "Action" = [
          "sqs:GetQueueAttributes",
          "sqs:GetQueueUrl",
        ]
        "Resource" = "arn:aws:sqs:us-east-1:111122223333:order-events"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "sqs_worker_least_privilege" {
  role       = module.iam.aws_iam_role.sqs_worker.name
  policy_arn = aws_iam_policy.sqs_worker_least_privilege.arn
}
