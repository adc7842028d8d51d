resource "aws_kms_key" "payments" {
  description             = "Payments service key"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}

resource "aws_lambda_function" "refunds" {
  function_name = "refunds"
  role          = "arn:aws:iam::123456789012:role/refunds"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/refunds.zip"
  kms_key_arn   = aws_kms_key.payments.arn
}

resource "aws_lambda_function_url" "refunds" {
  function_name      = aws_lambda_function.refunds.function_name
  authorization_type = "AWS_IAM"
}
