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
