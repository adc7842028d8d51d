resource "aws_db_instance" "reporting" {
  identifier           = "reporting"
  engine               = "postgres"
  engine_version       = "16.3"
  instance_class       = "db.t4g.medium"
  allocated_storage    = 50
  username             = "reporting"
  password             = "Reporting2024!"
  publicly_accessible  = true
  skip_final_snapshot  = true
  db_subnet_group_name = "public-subnets"
}
