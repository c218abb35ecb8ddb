# Least-privilege policy for arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60, written by iamtrim.
# Proof: observed calls allowed = true, nothing broader than the current policies = true; removes 824 of 836 granted actions.

resource "aws_iam_policy" "awsreservedsso_administratoraccess_4f1c2e9a7b3d5e60_least_privilege" {
  name        = "AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60 from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid" = "UsedCloudtrail"
        "Effect" = "Allow"
        "Action" = "cloudtrail:LookupEvents"
        "Resource" = "*"
      },
      {
        "Sid" = "UsedCloudtrail2"
        "Effect" = "Allow"
        "Action" = "cloudtrail:GetTrailStatus"
        "Resource" = "arn:aws:cloudtrail:us-east-1:111122223333:trail/acme-org-trail"
      },
      {
        "Sid" = "UsedEc2"
        "Effect" = "Allow"
        "Action" = [
          "ec2:DescribeInstances",
          "ec2:DescribeSecurityGroups",
        ]
        "Resource" = "*"
      },
      {
        "Sid" = "UsedEc22"
        "Effect" = "Allow"
        "Action" = "ec2:StopInstances"
        "Resource" = [
          "arn:aws:ec2:eu-west-1:111122223333:instance/*",
          "arn:aws:ec2:us-east-1:111122223333:instance/*",
          "arn:aws:ec2:us-west-2:111122223333:instance/*",
        ]
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
        "Action" = "iam:GetPolicyVersion"
        "Resource" = [
          "arn:aws:iam::111122223333:policy/*",
          "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
          "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        ]
      },
      {
        "Sid" = "UsedIam3"
        "Effect" = "Allow"
        "Action" = "iam:ListPolicyVersions"
        "Resource" = "arn:aws:iam::111122223333:policy/data/DataPipelineAccess"
      },
      {
        "Sid" = "UsedIam4"
        "Effect" = "Allow"
        "Action" = [
          "iam:GetRole",
          "iam:ListAttachedRolePolicies",
        ]
        "Resource" = "arn:aws:iam::111122223333:role/*"
      },
      {
        "Sid" = "UsedKms"
        "Effect" = "Allow"
        "Action" = "kms:DescribeKey"
        "Resource" = [
          "arn:aws:kms:eu-west-1:111122223333:key/0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f",
          "arn:aws:kms:us-east-1:111122223333:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0",
        ]
      },
      {
        "Sid" = "UsedS3"
        "Effect" = "Allow"
        "Action" = "s3:GetBucketPolicy"
        "Resource" = [
          "arn:aws:s3:::acme-cloudtrail-111122223333",
          "arn:aws:s3:::acme-data-prod",
          "arn:aws:s3:::acme-logs-archive",
        ]
      },
    ]
  })
}
