variable "project_id" {
  type        = string
  description = "GCP project that owns the bucket."
}

variable "name" {
  type        = string
  description = "Globally unique bucket name."

  validation {
    condition     = can(regex("^[a-z0-9][-_.a-z0-9]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be 3-63 lowercase letters, digits, '-', '_' or '.'."
  }
}

variable "location" {
  type        = string
  description = "Bucket location (region, dual-region or multi-region such as EU)."
}

variable "storage_class" {
  type        = string
  description = "Default storage class."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"], var.storage_class)
    error_message = "storage_class must be STANDARD, NEARLINE, COLDLINE or ARCHIVE."
  }
}

variable "versioning" {
  type        = bool
  description = "Keep noncurrent object versions."
  default     = true
}

variable "delete_after_days" {
  type        = number
  description = "Delete objects older than this many days; 0 keeps them forever."
  default     = 0
}

variable "kms_key_name" {
  type        = string
  description = "Cloud KMS key for default encryption; null uses Google-managed keys."
  default     = null
}

variable "labels" {
  type        = map(string)
  description = "Bucket labels."
  default     = {}
}
