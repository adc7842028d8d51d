resource "aws_sagemaker_notebook_instance" "research" {
  name                   = "research-gpu"
  role_arn               = "arn:aws:iam::123456789012:role/sagemaker-research"
  instance_type          = "ml.g5.xlarge"
  direct_internet_access = "Enabled"
  root_access            = "Enabled"
  volume_size            = 100
}
