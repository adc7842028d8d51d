resource "aws_instance" "gpu_worker" {
  ami                  = "ami-0abcdef1234567890"
  instance_type        = "g5.2xlarge"
  subnet_id            = "subnet-0fedcba9876543210"
  iam_instance_profile = "gpu-worker"
  monitoring           = true
  ebs_optimized        = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }

  root_block_device {
    volume_size = 200
    encrypted   = true
  }
}
