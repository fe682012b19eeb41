variable "project_id" {
  type        = string
  description = "Globally unique project ID."

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "name" {
  type        = string
  description = "Display name; defaults to project_id."
  default     = null
}

variable "billing_account" {
  type        = string
  description = "Billing account ID (XXXXXX-XXXXXX-XXXXXX)."

  validation {
    condition     = can(regex("^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$", var.billing_account))
    error_message = "billing_account must look like 012345-6789AB-CDEF01."
  }
}

variable "folder_id" {
  type        = string
  description = "Parent folder ID (digits). Exactly one of folder_id or org_id is needed."
  default     = null
}

variable "org_id" {
  type        = string
  description = "Parent organization ID (digits), used when folder_id is null."
  default     = null
}

variable "services" {
  type        = list(string)
  description = "APIs to enable."
  default     = ["compute.googleapis.com", "container.googleapis.com", "storage.googleapis.com", "iam.googleapis.com"]
}

variable "labels" {
  type        = map(string)
  description = "Project labels."
  default     = {}
}
