variable "orders_table_arn" {
  type = string
}

variable "queue_arn" {
  type = string
}
