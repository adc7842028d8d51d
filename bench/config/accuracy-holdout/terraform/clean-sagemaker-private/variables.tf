variable "environment" {
  type = string
}

variable "execution_role_arn" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_id" {
  type = string
}

variable "notebook_sg_id" {
  type = string
}

variable "endpoint_sg_id" {
  type = string
}

variable "model_bucket" {
  type = string
}
