variable "ami_id" {
  description = "Ubuntu 22.04 image built by the packer pipeline"
  type        = string
}

resource "aws_instance" "batch" {
  ami           = var.ami_id
  instance_type = "m7i.large"
  subnet_id     = "subnet-0123456789abcdef0"

  root_block_device {
    volume_size = 50
    volume_type = "gp3"
  }

  tags = {
    Name = "batch"
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 500
  type              = "gp3"
  encrypted         = false
}

resource "aws_volume_attachment" "scratch" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.scratch.id
  instance_id = aws_instance.batch.id
}
