provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAZ7QW4N2RX5TLB3KD"
  secret_key = "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"
}
