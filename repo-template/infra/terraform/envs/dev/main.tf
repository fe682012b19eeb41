# The dev environment. DataMCP adds one <instance>.tf file per proposed module instance.

module "network" {
  source = "../../modules/network"

  project_id = var.project_id
  name       = "data-dev"
  region     = var.region
}

module "gke" {
  source = "../../modules/gke"

  project_id    = var.project_id
  name          = "data-dev"
  location      = var.region
  network_id    = module.network.network_id
  subnetwork_id = module.network.subnetwork_id
  max_nodes     = 3
  labels = {
    environment = "dev"
  }
}

module "artifacts" {
  source = "../../modules/gcs"

  project_id = var.project_id
  name       = "${var.project_id}-artifacts"
  location   = "EU"
  labels = {
    environment = "dev"
  }
}
