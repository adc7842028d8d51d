variable "environment" {
  type = string
}

variable "image_uri" {
  type = string
}

variable "source_bucket" {
  type = string
}

variable "images_table_arn" {
  type = string
}

variable "audit_table_arn" {
  type = string
}

variable "logs_kms_key_arn" {
  type = string
}

variable "lambda_kms_key_arn" {
  type = string
}
