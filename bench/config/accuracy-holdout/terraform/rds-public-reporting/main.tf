locals {
  anywhere = "0.0.0.0/0"
}

resource "aws_security_group" "reporting_db" {
  name        = "reporting-db"
  description = "BI tool access to the reporting replica"
  vpc_id      = var.vpc_id

  ingress {
    description = "MySQL for the hosted BI vendor"
    from_port   = 3306
    to_port     = 3306
    protocol    = "tcp"
    cidr_blocks = [local.anywhere]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "reporting" {
  identifier             = "reporting"
  engine                 = "mysql"
  engine_version         = "8.0.36"
  instance_class         = "db.t3.large"
  allocated_storage      = 200
  db_name                = "reporting"
  username               = var.db_username
  password               = "Rep0rting-2024!"
  publicly_accessible    = true
  storage_encrypted      = false
  vpc_security_group_ids = [aws_security_group.reporting_db.id]
  db_subnet_group_name   = var.public_subnet_group
  skip_final_snapshot    = true
}

resource "aws_db_instance" "reporting_archive" {
  identifier          = "reporting-archive"
  engine              = "mysql"
  engine_version      = "8.0.36"
  instance_class      = "db.t3.medium"
  allocated_storage   = 500
  username            = var.db_username
  password            = var.archive_password
  skip_final_snapshot = true
}
