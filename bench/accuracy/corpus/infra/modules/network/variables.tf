provider "aws" {
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key
}
variable "db_password" {
  type      = string
  sensitive = true
  default   = "REPLACE_ME"
}
# ami = "ami-0a66da25259e8ab26"
# module source ref = "6f803cc7187da7e34ca4d86bc35ac0545af2549a"
