variable "model_artifact" {
  type    = string
  default = "s3://acme-ml-artifacts/llm-summarizer/model.tar.gz"
}

variable "execution_role_arn" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

resource "aws_sagemaker_model" "summarizer" {
  name               = "llm-summarizer"
  execution_role_arn = var.execution_role_arn

  primary_container {
    image          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04"
    model_data_url = var.model_artifact
    environment = {
      HF_MODEL_ID    = "/opt/ml/model"
      SM_NUM_GPUS    = "1"
      MAX_INPUT_LENGTH = "4096"
    }
  }
}

resource "aws_sagemaker_model" "reranker" {
  name                     = "reranker"
  execution_role_arn       = var.execution_role_arn
  enable_network_isolation = false

  primary_container {
    image          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.2.0-gpu-py310"
    model_data_url = "s3://acme-ml-artifacts/reranker/model.tar.gz"
  }
}

resource "aws_sagemaker_endpoint_configuration" "summarizer" {
  name = "llm-summarizer"

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.summarizer.name
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 1
  }

  production_variants {
    variant_name           = "Reranker"
    model_name             = aws_sagemaker_model.reranker.name
    instance_type          = "ml.g5.xlarge"
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_endpoint" "summarizer" {
  name                 = "llm-summarizer"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.summarizer.name
}

resource "aws_sagemaker_domain" "studio" {
  domain_name = "ml-studio"
  auth_mode   = "IAM"
  vpc_id      = var.vpc_id
  subnet_ids  = var.subnet_ids

  default_user_settings {
    execution_role = var.execution_role_arn
  }
}
