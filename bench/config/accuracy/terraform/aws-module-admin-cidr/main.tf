module "bastion" {
  source     = "./modules/bastion"
  vpc_id     = "vpc-0a1b2c3d4e5f60718"
  name       = "ops-bastion"
}
