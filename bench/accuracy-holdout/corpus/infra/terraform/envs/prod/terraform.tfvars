# Production inputs. Applied by the platform team from their laptops (TODO: move to TFC workspace vars)
environment        = "prod"
aws_region         = "eu-west-1"
vpc_cidr           = "10.40.0.0/16"
bastion_ami_id     = "ami-0c1a7f89451184c8b"
kms_key_arn        = "arn:aws:kms:eu-west-1:481516234200:key/00bcdbfb-d78a-447e-982d-e7271462c717"

# observability
datadog_api_key = "fedd68d52288e2c3145a24826608f179"
datadog_app_key = "4f80a1a563ab1913872898c61022d37bdc898a80"
cloudflare_api_token = "Jo7O42a07pnsX07-HyB22EpBui8PUt9PK1xKgZJ2"
cloudflare_zone_id   = "fa54c1c5c816cb52ec71cf4a970df4ee"

digitalocean_token = "dop_v1_be6d420699994d6b734a25f53fa03cfb4ee6088ecb4c445573bf08c0d811c878"
github_token       = "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"
rds_master_password = "ArkeDblDC9I9Yslfygy_06"
acm_certificate_arn = "arn:aws:acm:us-east-1:481516234200:certificate/f51575c4-262f-4288-bd2e-f1fa1cb14590"
