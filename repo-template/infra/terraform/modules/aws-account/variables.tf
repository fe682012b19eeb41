variable "name" {
  type        = string
  description = "Account name."
}

variable "email" {
  type        = string
  description = "Unique root email address of the new account."

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.email))
    error_message = "email must be an email address."
  }
}

variable "parent_ou_id" {
  type        = string
  description = "Organizational unit (ou-...) or root (r-...) to place the account in."

  validation {
    condition     = can(regex("^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$", var.parent_ou_id))
    error_message = "parent_ou_id must be an OU ID (ou-...) or a root ID (r-...)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Account tags."
  default     = {}
}
