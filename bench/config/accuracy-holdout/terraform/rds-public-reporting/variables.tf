variable "vpc_id" {
  type = string
}

variable "public_subnet_group" {
  type = string
}

variable "db_username" {
  type    = string
  default = "bi_admin"
}

variable "archive_password" {
  type      = string
  sensitive = true
  default   = "Arch1ve-Passw0rd-2023"
}
