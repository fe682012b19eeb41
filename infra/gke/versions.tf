terraform {
  required_version = ">= 1.10.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.30"
    }
  }

  # State in GCS (native locking). Pass the bucket at init:
  #   terraform init -backend-config="bucket=ACME-tfstate" -backend-config="prefix=datamcp/gke"
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
