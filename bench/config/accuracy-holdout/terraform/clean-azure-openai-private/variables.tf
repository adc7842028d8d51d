variable "prefix" {
  type    = string
  default = "acmeprod"
}

variable "location" {
  type    = string
  default = "swedencentral"
}

variable "private_endpoint_subnet_id" {
  type = string
}
