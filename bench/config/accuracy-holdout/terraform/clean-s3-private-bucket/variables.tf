variable "project" {
  type    = string
  default = "acme-billing"
}

variable "environment" {
  type = string
}

variable "billing_role_arn" {
  description = "Role of the billing service that reads invoices"
  type        = string
}
