locals {
  function_name = "thumbnailer-${var.environment}"
  # One statement per table the function may touch, with only the actions it needs.
  table_access = {
    images = {
      arn     = var.images_table_arn
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    }
    audit = {
      arn     = var.audit_table_arn
      actions = ["dynamodb:PutItem"]
    }
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "thumbnailer" {
  dynamic "statement" {
    for_each = local.table_access
    content {
      sid       = "Table${title(statement.key)}"
      effect    = "Allow"
      actions   = statement.value.actions
      resources = [statement.value.arn]
    }
  }

  statement {
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${var.source_bucket}/originals/*"]
  }

  statement {
    sid       = "WriteThumbnails"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::${var.source_bucket}/thumbnails/*"]
  }

  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.thumbnailer.arn}:*"]
  }
}

resource "aws_cloudwatch_log_group" "thumbnailer" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = 30
  kms_key_id        = var.logs_kms_key_arn
}

resource "aws_iam_role" "thumbnailer" {
  name               = local.function_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "thumbnailer" {
  name   = "thumbnailer"
  role   = aws_iam_role.thumbnailer.id
  policy = data.aws_iam_policy_document.thumbnailer.json
}

resource "aws_lambda_function" "thumbnailer" {
  function_name = local.function_name
  role          = aws_iam_role.thumbnailer.arn
  package_type  = "Image"
  image_uri     = var.image_uri
  memory_size   = 1024
  timeout       = 30
  kms_key_arn   = var.lambda_kms_key_arn

  tracing_config {
    mode = "Active"
  }

  environment {
    variables = {
      SOURCE_BUCKET = var.source_bucket
      IMAGES_TABLE  = var.images_table_arn
    }
  }
}

resource "aws_lambda_function_url" "thumbnailer" {
  function_name      = aws_lambda_function.thumbnailer.function_name
  authorization_type = "AWS_IAM"
}
