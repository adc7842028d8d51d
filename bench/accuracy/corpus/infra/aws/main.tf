terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAA4RFCFL6DHPDHSSL"
  secret_key = "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"
}

provider "github" {
  owner = "acme"
  token = "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"
}

resource "azurerm_storage_account" "logs" {
  name = "acmelogs0"
}
  connection_string = "DefaultEndpointsProtocol=https;AccountName=acmelogs0;AccountKey=VNqNVAXCEwMbwDaJbZKl1r4ss0mtEhVR+z4t1pxvndRDzhREF+9ncGQYI4mw/ofQebhEsGhP89y4SrVfwIwGYA==;EndpointSuffix=core.windows.net"
provider "databricks" {
  host  = "https://adb-1234567890123456.7.azuredatabricks.net"
  token = "dapic2c0145415c12ba29cb1d848c88b111c"
}
resource "aws_db_instance" "main" {
  engine   = "postgres"
  username = "app"
  password = "RZ6pf72znHmnPtS*aPQ1gtROu!.-"
}
