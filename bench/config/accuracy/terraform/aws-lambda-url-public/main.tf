resource "aws_lambda_function" "webhook" {
  function_name = "stripe-webhook"
  role          = "arn:aws:iam::123456789012:role/stripe-webhook"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/webhook.zip"
}

resource "aws_lambda_function_url" "webhook" {
  function_name      = aws_lambda_function.webhook.function_name
  authorization_type = "NONE"
}
