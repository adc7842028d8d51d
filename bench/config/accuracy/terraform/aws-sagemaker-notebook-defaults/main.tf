resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "setup" {
  name     = "install-deps"
  on_start = base64encode("pip install -r /home/ec2-user/SageMaker/requirements.txt")
}

resource "aws_sagemaker_notebook_instance" "analyst" {
  name                  = "analyst"
  role_arn              = "arn:aws:iam::123456789012:role/sagemaker-analyst"
  instance_type         = "ml.t3.medium"
  lifecycle_config_name = aws_sagemaker_notebook_instance_lifecycle_configuration.setup.name
}
