variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "subnet_id" {
  type = string
}

variable "agent_ami" {
  type = string
}

variable "windows_ami" {
  type = string
}

variable "vendor_ssh_cidrs" {
  description = "Where the CI vendor connects from"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}
