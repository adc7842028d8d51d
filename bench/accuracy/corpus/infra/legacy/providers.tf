terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIA336IBOXS3HUND5Z6"
  secret_key = "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"
}

provider "github" {
  owner = "acme"
  token = "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"
}

resource "azurerm_storage_account" "logs" {
  name = "acmelogs1"
}
  connection_string = "DefaultEndpointsProtocol=https;AccountName=acmelogs1;AccountKey=r++KBrIx4xmg22G9DjMKxi18abnXHikidzPCj/aZ69PHWskGbEtxLKtf5itGWPKN7vUyzDRH9UhtZvD2rcZQVg==;EndpointSuffix=core.windows.net"
provider "databricks" {
  host  = "https://adb-1234567890123456.7.azuredatabricks.net"
  token = "dapi3497f018d2b8c7a7f900b47563f4b7b9"
}
resource "aws_db_instance" "main" {
  engine   = "postgres"
  username = "app"
  password = "vyT.upN4aTpQ!KN2NI*DXbKktQZT"
}
