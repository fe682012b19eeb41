terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.95"
    }
  }

  # State in S3 with native locking (no DynamoDB table). Pass the bucket at init:
  #   terraform init -backend-config="bucket=acme-tfstate" -backend-config="key=datamcp/eks.tfstate" \
  #     -backend-config="region=eu-west-1"
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
