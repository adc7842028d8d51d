variable "project_id" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west4"
}

variable "network_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "kms_key_id" {
  type = string
}
