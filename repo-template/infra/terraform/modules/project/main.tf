resource "google_project" "this" {
  project_id          = var.project_id
  name                = coalesce(var.name, var.project_id)
  billing_account     = var.billing_account
  folder_id           = var.folder_id
  org_id              = var.folder_id == null ? var.org_id : null
  labels              = var.labels
  auto_create_network = false
  deletion_policy     = "PREVENT"

  lifecycle {
    precondition {
      condition     = var.folder_id != null || var.org_id != null
      error_message = "Set folder_id or org_id: a project needs a parent."
    }
  }
}

resource "google_project_service" "this" {
  for_each           = toset(var.services)
  project            = google_project.this.project_id
  service            = each.value
  disable_on_destroy = false
}
