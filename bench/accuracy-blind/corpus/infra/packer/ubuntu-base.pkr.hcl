packer {
  required_plugins {
    amazon = {
      version = ">= 1.3.0"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

variable "aws_access_key" {
  type    = string
  default = "AKIAHCTCABY777LIQKUI"
}

variable "aws_secret_key" {
  type      = string
  default   = "Uu5+KRQkG/T9REonkcpYny8Cz6YcKGebdLubgAj6"
  sensitive = true
}

variable "hcp_client_id" {
  type    = string
  default = "Gj96rxLLIcnRvc2vaTS3UzFpFdiilahk"
}

variable "hcp_client_secret" {
  type      = string
  default   = "kPx2xFOoQsKb0ryQRZ_OJpAxJZMA61LC-HxCnLpwK3raYaxxznkHrYzj4JBEAZSP"
  sensitive = true
}

variable "ssh_password" {
  type      = string
  sensitive = true
}

source "amazon-ebs" "ubuntu" {
  access_key    = var.aws_access_key
  secret_key    = var.aws_secret_key
  region        = "eu-central-1"
  instance_type = "t3.small"
  ssh_username  = "ubuntu"
  ssh_password  = var.ssh_password
  ami_name      = "tessera-base-{{timestamp}}"
  source_ami_filter {
    filters = {
      name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
}

build {
  sources = ["source.amazon-ebs.ubuntu"]
}
