variable "name" {
  type        = string
  description = "Name of the dataset."

  validation {
    condition     = can(regex("^[a-z][-_a-z0-9]{0,62}$", var.name))
    error_message = "name must be 1-63 lowercase letters, digits, '-' or '_', starting with a letter."
  }
}

variable "owner" {
  type        = string
  description = "Team or person accountable for the dataset."
}

variable "retention_days" {
  type        = number
  description = "How long records are kept."
  default     = 30

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 3650
    error_message = "retention_days must be between 1 and 3650."
  }
}

variable "labels" {
  type        = map(string)
  description = "Free-form labels."
  default     = {}
}
