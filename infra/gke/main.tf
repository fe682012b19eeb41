# The GKE cluster DataMCP runs on, and DataMCP's cloud identity:
#   - an Autopilot cluster (Workload Identity is always on, nodes are managed and hardened);
#   - a Google service account for DataMCP, impersonated by the Kubernetes ServiceAccount
#     datamcp/datamcp through Workload Identity (no key files);
#   - least privilege: object access on the one state bucket, and only the roles listed in
#     var.managed_roles on the project (what the GitOps repository's Terraform manages).
#     DataMCP gets no IAM admin role, so a merged change cannot widen its own permissions.

resource "google_container_cluster" "this" {
  name                = var.cluster_name
  location            = var.region
  enable_autopilot    = true
  network             = var.network
  subnetwork          = var.subnetwork
  deletion_protection = var.deletion_protection

  release_channel {
    channel = var.release_channel
  }

  dynamic "master_authorized_networks_config" {
    for_each = length(var.master_authorized_cidrs) > 0 ? [1] : []
    content {
      dynamic "cidr_blocks" {
        for_each = var.master_authorized_cidrs
        content {
          display_name = cidr_blocks.key
          cidr_block   = cidr_blocks.value
        }
      }
    }
  }
}

resource "google_service_account" "datamcp" {
  account_id   = "datamcp"
  display_name = "DataMCP GitOps bot"
  description  = "Plans and applies the GitOps repository's Terraform after a reviewed merge."
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.datamcp.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.k8s_namespace}/${var.k8s_service_account}]"

  # The pool <project>.svc.id.goog exists once the cluster does.
  depends_on = [google_container_cluster.this]
}

resource "google_project_iam_member" "managed" {
  for_each = var.managed_roles
  project  = var.project_id
  role     = each.value
  member   = google_service_account.datamcp.member
}

resource "google_storage_bucket" "state" {
  name                        = var.state_bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 20
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket_iam_member" "state" {
  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectUser"
  member = google_service_account.datamcp.member
}
