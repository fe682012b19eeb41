variable "name" {
  type        = string
  description = "VPC name; also the prefix of its subnets, gateways and route tables."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name: 3-40 lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "cidr" {
  type        = string
  description = "VPC CIDR block; split into one public and one private /20 per availability zone."
  default     = "10.30.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) <= 18
    error_message = "cidr: an IPv4 CIDR of /18 or larger (room for 2 x 3 /20 subnets)."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Two or three availability zones of the region, e.g. [\"eu-west-1a\", \"eu-west-1b\"]."

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "availability_zones: two or three zones (EKS needs subnets in at least two)."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper, one zone of failure) instead of one per zone."
  default     = true
}

variable "cluster_name" {
  type        = string
  description = "EKS cluster that uses the subnets: tags them for its load balancers. Empty: no tags."
  default     = ""
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
