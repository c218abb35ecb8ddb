# Least-privilege policy for arn:aws:iam::111122223333:role/monitoring/monitoring-agent, written by iamtrim.
# Proof: PROVEN. Observed calls allowed = true (452 calls); nothing broader than the current policies = true; removes 6 of 15 granted actions.
# Window: 90 days.
# It replaces the principal's current policies: detach or delete them once this is applied.

resource "aws_iam_policy" "monitoring_agent_least_privilege" {
  name        = "monitoring-agent-least-privilege"
  description = "Least privilege for arn:aws:iam::111122223333:role/monitoring/monitoring-agent from observed CloudTrail use (iamtrim)"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UsedCloudwatch"
        "Effect"   = "Allow"
        "Action"   = "cloudwatch:PutMetricData"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedEc2"
        "Effect"   = "Allow"
        "Action"   = "ec2:DescribeTags"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedLogs"
        "Effect"   = "Allow"
        "Action"   = "logs:DescribeLogStreams"
        "Resource" = "*"
      },
      {
        "Sid"      = "UsedSsm"
        "Effect"   = "Allow"
        "Action"   = "ssm:GetParameter"
        "Resource" = "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*"
      },
      {
        "Sid"    = "KeptUnmapped"
        "Effect" = "Allow"
        "Action" = [
          "xray:GetSamplingRules",
          "xray:GetSamplingStatisticSummaries",
          "xray:GetSamplingTargets",
          "xray:PutTelemetryRecords",
          "xray:PutTraceSegments",
        ]
        "Resource" = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring_agent_least_privilege" {
  role       = module.iam.aws_iam_role.monitoring_agent.name
  policy_arn = aws_iam_policy.monitoring_agent_least_privilege.arn
}
