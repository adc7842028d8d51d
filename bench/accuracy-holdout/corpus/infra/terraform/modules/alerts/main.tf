variable "pagerduty_token" {
  type      = string
  sensitive = true
}

resource "aws_lambda_function" "notifier" {
  function_name    = "alerts-notifier"
  filename         = "${path.module}/build/notifier.zip"
  source_code_hash = filebase64sha256("${path.module}/build/notifier.zip")
  handler          = "main.handler"
  runtime          = "python3.12"
  role             = aws_iam_role.notifier.arn

  environment {
    variables = {
      SLACK_WEBHOOK_URL   = "https://hooks.slack.com/services/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"
      PAGERDUTY_ROUTING   = "R0YFFJ1TI4FXRQPS7RYF5YUNBAXE3V11"
      PAGERDUTY_API_TOKEN = var.pagerduty_token
      OPSGENIE_KEY        = data.aws_ssm_parameter.opsgenie.value
    }
  }
}

provider "pagerduty" {
  token = "${var.pagerduty_token}"
}
