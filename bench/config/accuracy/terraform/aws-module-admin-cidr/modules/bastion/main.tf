locals {
  ssh_port = 22
}

resource "aws_security_group" "this" {
  name        = var.name
  description = "Bastion ${var.name}"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH"
    from_port   = local.ssh_port
    to_port     = local.ssh_port
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
