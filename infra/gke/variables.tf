variable "project_id" {
  type        = string
  description = "GCP project that holds the cluster and DataMCP's service account."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a GCP project id: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  type        = string
  description = "Region of the Autopilot cluster and the state bucket, e.g. europe-west1."
  default     = "europe-west1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a GCP region such as europe-west1 (not a zone)."
  }
}

variable "cluster_name" {
  type        = string
  description = "Name of the GKE Autopilot cluster."
  default     = "datamcp"
  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be 1-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "network" {
  type        = string
  description = "VPC network the cluster joins."
  default     = "default"
}

variable "subnetwork" {
  type        = string
  description = "Subnetwork in region for nodes (secondary ranges are created by Autopilot when null)."
  default     = null
}

variable "master_authorized_cidrs" {
  type        = map(string)
  description = "Networks allowed to reach the control plane: display name => CIDR. Empty: Google's default (any)."
  default     = {}
  validation {
    condition     = alltrue([for c in values(var.master_authorized_cidrs) : can(cidrhost(c, 0))])
    error_message = "master_authorized_cidrs values must be CIDR blocks such as 203.0.113.0/24."
  }
}

variable "release_channel" {
  type        = string
  description = "GKE release channel."
  default     = "REGULAR"
  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "k8s_namespace" {
  type        = string
  description = "Namespace DataMCP runs in (argocd/datamcp.yaml deploys to datamcp)."
  default     = "datamcp"
}

variable "k8s_service_account" {
  type        = string
  description = "Kubernetes ServiceAccount of DataMCP (the chart's fullname; release datamcp gives datamcp)."
  default     = "datamcp"
}

variable "managed_roles" {
  type        = set(string)
  description = <<-EOT
    Project roles DataMCP's service account gets so terraform plan/apply can manage what the
    GitOps repository declares. Keep it to the resource types the repository holds; the
    default covers GCS buckets and BigQuery datasets of data applications.
  EOT
  default     = ["roles/storage.admin", "roles/bigquery.dataOwner"]
  validation {
    condition     = alltrue([for r in var.managed_roles : can(regex("^(roles|projects/[^/]+/roles)/[A-Za-z0-9_.]+$", r))])
    error_message = "managed_roles must be role names such as roles/storage.admin or projects/P/roles/custom."
  }
  validation {
    condition     = length(setintersection(var.managed_roles, ["roles/owner", "roles/editor"])) == 0
    error_message = "managed_roles must not contain roles/owner or roles/editor: grant the roles for the resource types the repository manages."
  }
}

variable "state_bucket_name" {
  type        = string
  description = "GCS bucket for the Terraform state of the GitOps repository's projects (created here)."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid GCS bucket name (3-63 lowercase letters, digits, dots, hyphens, underscores)."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse terraform destroy of the cluster."
  default     = true
}

variable "github_repository" {
  type        = string
  description = "owner/name of DataMCP's GitHub repository, whose release workflow may push images (Workload Identity Federation)."
  default     = "datamcp/datamcp"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "secret_ids" {
  type        = set(string)
  description = "Secret Manager secrets DataMCP reads (values added by a human, never by Terraform)."
  default     = ["datamcp-github-token", "datamcp-github-app-key", "datamcp-webhook-secret", "datamcp-argocd-token", "datamcp-jwks"]
}
