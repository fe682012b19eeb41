variable "project_id" {
  type        = string
  description = "GCP project that owns the service account."
}

variable "account_id" {
  type        = string
  description = "Service account ID (the part before @)."

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{4,28}[a-z0-9])$", var.account_id))
    error_message = "account_id must be 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "display_name" {
  type        = string
  description = "Human-readable name."
  default     = ""
}

variable "project_roles" {
  type        = list(string)
  description = "Project-level roles granted to the service account, e.g. roles/storage.objectViewer."
  default     = []

  validation {
    condition     = alltrue([for r in var.project_roles : can(regex("^(roles|projects/[^/]+/roles)/", r))])
    error_message = "Each role must start with roles/ or projects/<id>/roles/."
  }
}

variable "workload_identity_members" {
  type        = list(string)
  description = "Kubernetes service accounts allowed to impersonate it, as \"namespace/name\"."
  default     = []
}
