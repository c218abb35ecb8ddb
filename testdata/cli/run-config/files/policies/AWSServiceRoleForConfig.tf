# Least-privilege policy for arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig, written by iamtrim.
# Proof: observed calls allowed = true, nothing broader than the current policies = true; removes 57 of 64 granted actions.

resource "aws_iam_policy" "awsserviceroleforconfig_least_privilege" {
  name        = "AWSServiceRoleForConfig-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid" = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:DescribeInstances",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeVpcs",
        ]
        "Resource" = "*"
      },
      {
        "Sid" = "UsedIam"
        "Effect" = "Allow"
        "Action" = "iam:ListRoles"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedIam2"
        "Effect" = "Allow"
        "Action" = "iam:GetRole"
        "Resource" = "arn:aws:iam::111122223333:role/*"
      },
      {
        "Sid" = "UsedS3"
        "Effect" = "Allow"
        "Action" = "s3:GetEncryptionConfiguration"
        "Resource" = [
          "arn:aws:s3:::acme-build-artifacts",
          "arn:aws:s3:::acme-cloudtrail-111122223333",
          "arn:aws:s3:::acme-logs-archive",
        ]
      },
      {
        "Sid" = "UsedS32"
        "Effect" = "Allow"
        "Action" = "s3:GetBucketAcl"
        "Resource" = [
          "arn:aws:s3:::acme-cloudtrail-111122223333",
          "arn:aws:s3:::acme-data-prod",
          "arn:aws:s3:::acme-logs-archive",
        ]
      },
    ]
  })
}
