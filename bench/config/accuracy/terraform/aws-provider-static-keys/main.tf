provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAQ3EGTW5NPLKZ7R4M"
  secret_key = "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"
}

data "aws_caller_identity" "current" {}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}
