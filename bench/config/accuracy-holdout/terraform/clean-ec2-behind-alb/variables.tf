variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "public_subnet_ids" {
  type = list(string)
}

variable "instance_profile" {
  type = string
}

variable "ebs_kms_key_arn" {
  type = string
}
