# Least-privilege policy for arn:aws:iam::111122223333:role/data/data-pipeline, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (158 calls); nothing broader than the current policies = true; removes 50 of 56 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "data_pipeline_least_privilege" {
  name        = "data-pipeline-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/data/data-pipeline from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "UsedKms"
        "Effect" = "Allow"
        "Action" = [
          "kms:Decrypt",
          "kms:GenerateDataKey",
        ]
        "Resource" = "arn:aws:kms:us-east-1:111122223333:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0"
      },
      {
        "Sid"    = "UsedS3"
        "Effect" = "Allow"
        "Action" = [
          "s3:GetObjectTagging",
          "s3:ListBucket",
        ]
        "Resource" = [
          "arn:aws:s3:::acme-data-prod",
          "arn:aws:s3:::acme-data-prod/*",
        ]
      },
      {
        "Sid"      = "UsedS32"
        "Effect"   = "Allow"
        "Action"   = "s3:GetObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/incoming/*"
      },
      {
        "Sid"      = "UsedS33"
        "Effect"   = "Allow"
        "Action"   = "s3:PutObject"
        "Resource" = "arn:aws:s3:::acme-data-prod/processed/*"
        "Condition" = {
          "StringEquals" = {
            "s3:x-amz-server-side-encryption" = "aws:kms"
          }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "data_pipeline_least_privilege" {
  role       = module.iam.aws_iam_role.data_pipeline.name
  policy_arn = aws_iam_policy.data_pipeline_least_privilege.arn
}
