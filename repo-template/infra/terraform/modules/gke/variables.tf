variable "project_id" {
  type        = string
  description = "GCP project that hosts the cluster."
}

variable "name" {
  type        = string
  description = "Cluster name."

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.name))
    error_message = "name must be 1-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "location" {
  type        = string
  description = "Region (regional cluster) or zone (zonal cluster)."
}

variable "network_id" {
  type        = string
  description = "VPC network self link (network module output network_id)."
}

variable "subnetwork_id" {
  type        = string
  description = "Subnetwork self link (network module output subnetwork_id)."
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

variable "machine_type" {
  type        = string
  description = "Machine type of the default node pool."
  default     = "e2-standard-4"
}

variable "min_nodes" {
  type        = number
  description = "Minimum nodes per zone in the node pool."
  default     = 1
}

variable "max_nodes" {
  type        = number
  description = "Maximum nodes per zone in the node pool."
  default     = 3

  validation {
    condition     = var.max_nodes >= 1 && var.max_nodes <= 100
    error_message = "max_nodes must be between 1 and 100."
  }
}

variable "master_ipv4_cidr" {
  type        = string
  description = "/28 range for the private control plane endpoint."
  default     = "172.16.0.0/28"
}

variable "labels" {
  type        = map(string)
  description = "Resource labels applied to the cluster and nodes."
  default     = {}
}
