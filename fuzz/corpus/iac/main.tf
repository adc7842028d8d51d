6variable "cidr" {
  default = ["0.0.0.0/0"]
}
locals { port = 22 }
resource "aws_security_group" "s" {
  ingress {
    from_port = local.port
    to_port = 22
    cidr_blocks = var.cidr
  }
  dynamic "egress" {
    for_each = [1]
    content { cidr_blocks = ["::/0"] }
  }
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({Statement = [{Action = "*", Resource = "*", Effect = "Allow"}]})
}
provider "aws" {
  access_key = "AKIA"
}
