locals {
  agent_ports = {
    http    = 80
    metrics = 9100
  }
}

resource "aws_security_group" "agents" {
  name        = "build-agents"
  description = "Self-hosted build agents"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = local.agent_ports
    content {
      description = ingress.key
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.vpc_cidr]
    }
  }

  ingress {
    description      = "SSH for debugging"
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_vpc_security_group_ingress_rule" "windows_agents_rdp" {
  security_group_id = aws_security_group.agents.id
  description       = "RDP to the Windows agents"
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group_rule" "agents_ssh_vendor" {
  type              = "ingress"
  security_group_id = aws_security_group.agents.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = var.vendor_ssh_cidrs
}

resource "aws_instance" "linux_agent" {
  ami                    = var.agent_ami
  instance_type          = "c6i.2xlarge"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.agents.id]

  root_block_device {
    volume_size = 200
    volume_type = "gp3"
  }

  user_data = file("${path.module}/agent-bootstrap.sh")
}

resource "aws_instance" "windows_agent" {
  ami                    = var.windows_ami
  instance_type          = "m6i.xlarge"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.agents.id]

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }

  root_block_device {
    volume_size = 120
    encrypted   = true
  }
}

resource "aws_ebs_volume" "cache" {
  availability_zone = aws_instance.linux_agent.availability_zone
  size              = 500
  type              = "gp3"
  encrypted         = false
}
