variable "project_id" {
  type        = string
  description = "GCP project that owns the network."
}

variable "name" {
  type        = string
  description = "Name of the VPC network (RFC 1035: lowercase letters, digits, hyphens)."

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be 1-63 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  type        = string
  description = "Region of the subnetwork, e.g. europe-west1."
}

variable "subnet_cidr" {
  type        = string
  description = "Primary IPv4 range of the subnetwork (nodes)."
  default     = "10.10.0.0/20"

  validation {
    condition     = can(cidrnetmask(var.subnet_cidr))
    error_message = "subnet_cidr must be an IPv4 CIDR block such as 10.10.0.0/20."
  }
}

variable "pods_cidr" {
  type        = string
  description = "Secondary range for GKE pods."
  default     = "10.20.0.0/14"
}

variable "services_cidr" {
  type        = string
  description = "Secondary range for GKE services."
  default     = "10.24.0.0/20"
}

variable "enable_nat" {
  type        = bool
  description = "Create a Cloud Router and Cloud NAT so private nodes reach the internet."
  default     = true
}
