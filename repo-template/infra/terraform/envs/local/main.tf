# The local environment: everything here plans and applies offline.
# DataMCP adds one <instance>.tf file per proposed module instance next to this file.

locals {
  environment = "local"
}

module "events" {
  source = "../../modules/local-data"

  name           = "events"
  owner          = "data-platform"
  retention_days = 7
  labels = {
    environment = local.environment
  }
}
