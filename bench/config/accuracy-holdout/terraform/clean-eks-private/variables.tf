variable "cluster_name" {
  type    = string
  default = "platform-prod"
}

variable "private_subnet_ids" {
  type = list(string)
}
