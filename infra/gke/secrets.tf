# DataMCP's secrets in Secret Manager, read by External Secrets Operator as DataMCP's own
# Google service account (helm values externalSecrets, docs/secrets.md). Terraform creates the
# secrets and the access, never the values: a human adds a version
#   printf %s "$VALUE" | gcloud secrets versions add datamcp-webhook-secret --data-file=-
# so no secret value is ever in Terraform state.

resource "google_secret_manager_secret" "datamcp" {
  for_each  = var.secret_ids
  secret_id = each.value

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "datamcp" {
  for_each  = google_secret_manager_secret.datamcp
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.datamcp.member
}
