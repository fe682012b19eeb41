variable "name" {
  type        = string
  description = "Cluster name."

  validation {
    condition     = can(regex("^[a-zA-Z][-a-zA-Z0-9]{0,99}$", var.name))
    error_message = "name must start with a letter and hold only letters, digits and hyphens (max 100)."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version, e.g. 1.31."
  default     = "1.31"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (at least two AZs) for the control plane ENIs and nodes."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs at least two subnets in different availability zones."
  }
}

variable "endpoint_public_access" {
  type        = bool
  description = "Expose the API endpoint publicly (restricted by public_access_cidrs)."
  default     = false
}

variable "public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach a public endpoint."
  default     = []
}

variable "instance_types" {
  type        = list(string)
  description = "Instance types of the managed node group."
  default     = ["m6i.large"]
}

variable "min_size" {
  type        = number
  description = "Minimum nodes."
  default     = 1
}

variable "max_size" {
  type        = number
  description = "Maximum nodes."
  default     = 3
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
