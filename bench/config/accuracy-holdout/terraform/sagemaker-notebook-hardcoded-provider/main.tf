resource "aws_sagemaker_notebook_instance" "data_science" {
  name                   = "ds-shared-notebook"
  role_arn               = aws_iam_role.notebook.arn
  instance_type          = "ml.g5.xlarge"
  root_access            = "Enabled"
  direct_internet_access = "Enabled"
  lifecycle_config_name  = aws_sagemaker_notebook_instance_lifecycle_configuration.pip.name
}

resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "pip" {
  name     = "install-requirements"
  on_start = base64encode("pip install -r /home/ec2-user/SageMaker/requirements.txt")
}

resource "aws_sagemaker_notebook_instance" "intern" {
  name          = "intern-sandbox"
  role_arn      = aws_iam_role.notebook.arn
  instance_type = "ml.t3.medium"
}

resource "aws_iam_role" "notebook" {
  name = "sagemaker-notebooks"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "notebook_full" {
  role       = aws_iam_role.notebook.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
}
