variable "subnet_ids" {
  type = list(string)
}
