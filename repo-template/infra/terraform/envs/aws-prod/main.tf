# The aws-prod environment (AWS). DataMCP adds one <instance>.tf file per proposed module instance.

module "vpc" {
  source = "../../modules/aws-vpc"

  name               = "data-prod"
  cidr               = "10.40.0.0/16"
  availability_zones = var.availability_zones
  single_nat_gateway = false
  cluster_name       = "data-prod"
}

module "eks" {
  source = "../../modules/eks"

  name       = "data-prod"
  subnet_ids = module.vpc.private_subnet_ids
  max_size   = 10
  tags = {
    environment = "aws-prod"
  }
}

module "artifacts" {
  source = "../../modules/s3"

  bucket = "acme-data-prod-artifacts"
  tags = {
    environment = "aws-prod"
  }
}
