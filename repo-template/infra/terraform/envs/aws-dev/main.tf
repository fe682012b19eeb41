# The aws-dev environment (AWS). DataMCP adds one <instance>.tf file per proposed module instance.

module "vpc" {
  source = "../../modules/aws-vpc"

  name               = "data-dev"
  cidr               = "10.30.0.0/16"
  availability_zones = var.availability_zones
  single_nat_gateway = true
  cluster_name       = "data-dev"
}

module "eks" {
  source = "../../modules/eks"

  name       = "data-dev"
  subnet_ids = module.vpc.private_subnet_ids
  max_size   = 3
  tags = {
    environment = "aws-dev"
  }
}

module "artifacts" {
  source = "../../modules/s3"

  bucket = "acme-data-dev-artifacts"
  tags = {
    environment = "aws-dev"
  }
}
