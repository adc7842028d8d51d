terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAN3LSEFUPL3QFRFZ4"
  secret_key = "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"
}

provider "github" {
  owner = "acme"
  token = "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"
}

resource "azurerm_storage_account" "logs" {
  name = "acmelogs0"
}
  connection_string = "DefaultEndpointsProtocol=https;AccountName=acmelogs0;AccountKey=th9ak6KZvv4lfsw0HvMh7f5qqkFbIx1dfYWyv8PigaOtbu+5rmx5IqjCB+mKOV5JbtEfw8uQUdL6NA12ZHqbRA==;EndpointSuffix=core.windows.net"
provider "databricks" {
  host  = "https://adb-1234567890123456.7.azuredatabricks.net"
  token = "dapi2d7037214e5b31f9d128ccd0654f8c31"
}
resource "aws_db_instance" "main" {
  engine   = "postgres"
  username = "app"
  password = "Mok6wWA_UV%P*Jt9ZuSFbC%m=DY"
}
