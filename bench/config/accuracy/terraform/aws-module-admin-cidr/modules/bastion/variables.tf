variable "vpc_id" {
  type = string
}

variable "name" {
  type = string
}

variable "admin_cidr" {
  description = "Where administrators connect from"
  type        = string
  default     = "0.0.0.0/0"
}
