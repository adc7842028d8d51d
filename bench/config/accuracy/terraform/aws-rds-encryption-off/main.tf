variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "mysql"
  engine_version              = "8.0.39"
  instance_class              = "db.r6g.large"
  allocated_storage           = 200
  username                    = "orders_admin"
  password                    = var.db_password
  storage_encrypted           = false
  publicly_accessible         = false
  multi_az                    = true
  backup_retention_period     = 14
  deletion_protection         = true
  iam_database_authentication_enabled = true
}
