variable "bucket" {
  type        = string
  description = "Globally unique bucket name."

  validation {
    condition     = can(regex("^[a-z0-9][-.a-z0-9]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket must be 3-63 lowercase letters, digits, '-' or '.'."
  }
}

variable "versioning" {
  type        = bool
  description = "Keep noncurrent object versions."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for SSE-KMS; null uses SSE-S3 (AES256)."
  default     = null
}

variable "expire_after_days" {
  type        = number
  description = "Expire objects after this many days; 0 keeps them forever."
  default     = 0
}

variable "tags" {
  type        = map(string)
  description = "Bucket tags."
  default     = {}
}
