# Least-privilege policy for arn:aws:iam::111122223333:role/service-role/invoice-pdf-lambda, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (10 calls); nothing broader than the current policies = true; removes 3 of 5 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "invoice_pdf_lambda_least_privilege" {
  name        = "invoice-pdf-lambda-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/service-role/invoice-pdf-lambda from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:CreateLogStream"
        "Resource" = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/invoice-pdf:log-stream:*"
      },
      {
        "Sid"      = "UsedS3"
        "Effect"   = "Allow"
        "Action"   = "s3:PutObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/invoices/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "invoice_pdf_lambda_least_privilege" {
  role       = module.iam.aws_iam_role.invoice_pdf_lambda.name
  policy_arn = aws_iam_policy.invoice_pdf_lambda_least_privilege.arn
}
