terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAGYDMCL72HKI5MWB3"
  secret_key = "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"
}

provider "github" {
  owner = "acme"
  token = "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"
}

resource "azurerm_storage_account" "logs" {
  name = "acmelogs1"
}
  connection_string = "DefaultEndpointsProtocol=https;AccountName=acmelogs1;AccountKey=UiF9FRpsG8YQfwaaL6k3nI6M8LAUSFshuzLCJiOLboTVQcQ+RXgKzM6nzGUqCw0X+anLVRPR9CXcTsiRFQEXxw==;EndpointSuffix=core.windows.net"
provider "databricks" {
  host  = "https://adb-1234567890123456.7.azuredatabricks.net"
  token = "dapif5390bf6fc1b764f12be906e267c0ce7"
}
resource "aws_db_instance" "main" {
  engine   = "postgres"
  username = "app"
  password = "q=A+CTtEVQjpCPXt2G*YIKbvDEW+"
}
