data "aws_iam_policy_document" "data_team" {
  statement {
    sid       = "DataLake"
    effect    = "Allow"
    actions   = ["s3:*"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadCatalog"
    effect    = "Allow"
    actions   = ["glue:GetTable", "glue:GetDatabase"]
    resources = ["arn:aws:glue:eu-west-1:123456789012:catalog"]
  }
}

resource "aws_iam_policy" "data_team" {
  name   = "data-team"
  policy = data.aws_iam_policy_document.data_team.json
}

resource "aws_iam_role" "partner_access" {
  name = "partner-access"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          AWS = "*"
        }
        Action = "sts:AssumeRole"
      }
    ]
  })
}
