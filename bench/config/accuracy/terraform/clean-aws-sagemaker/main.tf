resource "aws_sagemaker_notebook_instance" "research" {
  name                   = "research-private"
  role_arn               = "arn:aws:iam::123456789012:role/sagemaker-research"
  instance_type          = "ml.t3.large"
  subnet_id              = "subnet-0123456789abcdef0"
  security_groups        = ["sg-0123456789abcdef0"]
  kms_key_id             = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  direct_internet_access = "Disabled"
  root_access            = "Disabled"

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}

resource "aws_sagemaker_model" "ranker" {
  name                     = "search-ranker"
  execution_role_arn       = "arn:aws:iam::123456789012:role/sagemaker-inference"
  enable_network_isolation = true

  primary_container {
    image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ranker:3.1.0"
    model_data_url = "s3://acme-models/ranker/model.tar.gz"
  }

  vpc_config {
    subnets            = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
}

resource "aws_sagemaker_endpoint_configuration" "ranker" {
  name        = "search-ranker"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.ranker.name
    initial_instance_count = 2
    instance_type          = "ml.c6i.xlarge"
  }
}
