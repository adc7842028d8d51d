resource "aws_iam_role" "break_glass" {
  name = "break-glass-admin"

  assume_role_policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "*"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}
POLICY
}

resource "aws_iam_policy" "break_glass" {
  name        = "break-glass-admin"
  description = "Full access for incident response"

  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Everything",
          "Effect": "Allow",
          "Action": "*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "break_glass" {
  role       = aws_iam_role.break_glass.name
  policy_arn = aws_iam_policy.break_glass.arn
}

resource "aws_iam_user" "etl" {
  name = "etl-batch"
}

resource "aws_iam_user_policy" "etl" {
  name = "etl-data-access"
  user = aws_iam_user.etl.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*", "glue:GetTable", "glue:GetPartitions"]
        Resource = ["arn:aws:s3:::acme-datalake", "arn:aws:s3:::acme-datalake/*", "*"]
      },
      {
        Effect   = "Deny"
        Action   = "*"
        Resource = "*"
        Condition = {
          Bool = { "aws:MultiFactorAuthPresent" = "false" }
        }
      }
    ]
  })
}
