output "cluster_name" {
  description = "GKE cluster name (gcloud container clusters get-credentials NAME --region REGION)."
  value       = google_container_cluster.this.name
}

output "cluster_endpoint" {
  description = "Control plane endpoint."
  value       = google_container_cluster.this.endpoint
  sensitive   = true
}

output "service_account_email" {
  description = "DataMCP's Google service account."
  value       = google_service_account.datamcp.email
}

output "helm_service_account_annotations" {
  description = "Values for the chart's serviceAccount.annotations (Workload Identity)."
  value       = { "iam.gke.io/gcp-service-account" = google_service_account.datamcp.email }
}

output "state_bucket" {
  description = "GCS bucket for the GitOps repository's Terraform state (backend \"gcs\")."
  value       = google_storage_bucket.state.name
}

output "artifact_repository" {
  description = "Artifact Registry path for release.yml's GCP_ARTIFACT_REPOSITORY."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.datamcp.repository_id}"
}

output "github_workload_identity_provider" {
  description = "Provider name for release.yml's GCP_WORKLOAD_IDENTITY_PROVIDER."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "release_service_account" {
  description = "Service account for release.yml's GCP_SERVICE_ACCOUNT."
  value       = google_service_account.release.email
}

output "secret_ids" {
  description = "Secret Manager secrets to fill and name in the chart's secrets.*.remoteRef.key."
  value       = sort([for s in google_secret_manager_secret.datamcp : s.secret_id])
}
