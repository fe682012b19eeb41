terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }

  # S3 state with S3-native locking (a .tflock object beside the state, Terraform >= 1.10;
  # no DynamoDB table). Create the bucket first (versioned, encrypted), then: terraform init
  backend "s3" {
    bucket       = "acme-terraform-state-aws"
    key          = "envs/aws-prod/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      environment = "aws-prod"
      managed-by  = "datamcp"
    }
  }
}
