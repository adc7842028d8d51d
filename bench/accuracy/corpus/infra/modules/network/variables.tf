provider "aws" {
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key
}
variable "db_password" {
  type      = string
  sensitive = true
  default   = "REPLACE_ME"
}
# ami = "ami-04d878f1c5112a249"
# module source ref = "202f5390bf6fc1b764f12be906e267c0ce7a004b"
