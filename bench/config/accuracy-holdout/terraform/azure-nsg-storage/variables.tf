variable "tenant_id" {
  type = string
}
