locals {
  public_ports = {
    https = 443
    rdp   = 3389
  }
}

resource "aws_security_group" "app" {
  name        = "app-public"
  description = "Public entry points"
  vpc_id      = "vpc-0123456789abcdef0"

  dynamic "ingress" {
    for_each = local.public_ports
    content {
      description = ingress.key
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
