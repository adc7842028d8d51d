locals {
  name = "churn-${var.environment}"
}

resource "aws_kms_key" "ml" {
  description         = "SageMaker volumes and endpoint storage"
  enable_key_rotation = true
}

resource "aws_sagemaker_notebook_instance" "research" {
  name                   = "${local.name}-research"
  role_arn               = var.execution_role_arn
  instance_type          = "ml.t3.xlarge"
  platform_identifier    = "notebook-al2-v2"
  subnet_id              = var.private_subnet_id
  security_groups        = [var.notebook_sg_id]
  kms_key_id             = aws_kms_key.ml.arn
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  volume_size            = 50

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}

resource "aws_sagemaker_model" "churn" {
  name                     = "${local.name}-xgb"
  execution_role_arn       = var.execution_role_arn
  enable_network_isolation = true

  primary_container {
    image          = "683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    model_data_url = "s3://${var.model_bucket}/churn/model.tar.gz"
  }

  vpc_config {
    subnets            = [var.private_subnet_id]
    security_group_ids = [var.endpoint_sg_id]
  }
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name        = "${local.name}-config"
  kms_key_arn = aws_kms_key.ml.arn

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.churn.name
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }

  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 10
    destination_s3_uri          = "s3://${var.model_bucket}/capture/"
    kms_key_id                  = aws_kms_key.ml.arn

    capture_options {
      capture_mode = "InputAndOutput"
    }
  }
}

resource "aws_sagemaker_endpoint" "churn" {
  name                 = local.name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.churn.name
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "${local.name}-studio"
  auth_mode               = "IAM"
  vpc_id                  = var.vpc_id
  subnet_ids              = [var.private_subnet_id]
  app_network_access_type = "VpcOnly"
  kms_key_id              = aws_kms_key.ml.arn

  default_user_settings {
    execution_role  = var.execution_role_arn
    security_groups = [var.notebook_sg_id]
  }
}
