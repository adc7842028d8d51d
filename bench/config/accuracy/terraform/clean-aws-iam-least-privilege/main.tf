data "aws_iam_policy_document" "assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "exporter" {
  name               = "report-exporter"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "exporter" {
  statement {
    sid       = "WriteReports"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::acme-reports/exports/*"]
  }

  statement {
    sid       = "ReadQueue"
    effect    = "Allow"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = ["arn:aws:sqs:eu-west-1:123456789012:report-requests"]
  }
}

resource "aws_iam_role_policy" "exporter" {
  name   = "report-exporter"
  role   = aws_iam_role.exporter.id
  policy = data.aws_iam_policy_document.exporter.json
}
