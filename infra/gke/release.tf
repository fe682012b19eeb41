# Where release.yml publishes the image on Google Cloud, and how it gets in without a key:
#   - an Artifact Registry Docker repository;
#   - a Workload Identity Federation pool with a GitHub OIDC provider that accepts only
#     tokens from var.github_repository (attribute condition), and only for version tags;
#   - a release service account that may write to that one repository, impersonated by the
#     release workflow through the pool. No service account key exists anywhere.
# The workflow's variables: GCP_WORKLOAD_IDENTITY_PROVIDER = output
# github_workload_identity_provider, GCP_SERVICE_ACCOUNT = output release_service_account,
# GCP_ARTIFACT_REPOSITORY = output artifact_repository.

resource "google_artifact_registry_repository" "datamcp" {
  location      = var.region
  repository_id = "datamcp"
  format        = "DOCKER"
  description   = "DataMCP images, copied here by the release workflow (signed with cosign)."

  docker_config {
    immutable_tags = true
  }
}

# The cluster's nodes pull through the Autopilot node service account; DataMCP's own Google
# service account needs nothing here.

resource "google_iam_workload_identity_pool" "github" {
  workload_identity_pool_id = "github"
  display_name              = "GitHub Actions"
  description               = "OIDC tokens of GitHub Actions workflows"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github"
  display_name                       = "GitHub"

  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
    "attribute.ref"        = "assertion.ref"
  }
  # Only this repository's tag pushes (release.yml) can exchange a token.
  attribute_condition = "assertion.repository == \"${var.github_repository}\" && assertion.ref.startsWith(\"refs/tags/v\")"

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "release" {
  account_id   = "datamcp-release"
  display_name = "DataMCP release workflow"
  description  = "Pushes DataMCP images to Artifact Registry from GitHub Actions (no key)."
}

resource "google_service_account_iam_member" "release_federation" {
  service_account_id = google_service_account.release.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository/${var.github_repository}"
}

resource "google_artifact_registry_repository_iam_member" "release_writer" {
  location   = google_artifact_registry_repository.datamcp.location
  repository = google_artifact_registry_repository.datamcp.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.release.member
}
