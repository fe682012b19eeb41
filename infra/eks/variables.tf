variable "region" {
  type        = string
  description = "AWS region of the cluster and the state bucket, e.g. eu-west-1."
  default     = "eu-west-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as eu-west-1."
  }
}

variable "cluster_name" {
  type        = string
  description = "Name of the EKS cluster."
  default     = "datamcp"
  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must start with a letter and hold only letters, digits and hyphens (at most 100)."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version."
  default     = "1.32"
  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.32."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC the cluster runs in."
  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0abc123."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (at least two availability zones) for the control plane and nodes."
  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must hold at least two subnet ids such as subnet-0abc123."
  }
}

variable "endpoint_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public API endpoint. Empty: private endpoint only."
  default     = []
  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "endpoint_public_access_cidrs must be CIDR blocks such as 203.0.113.0/24."
  }
}

variable "node_instance_types" {
  type        = list(string)
  description = "Instance types of the managed node group."
  default     = ["m6i.large"]
}

variable "node_count" {
  type = object({
    min     = number
    max     = number
    desired = number
  })
  description = "Managed node group size."
  default     = { min = 1, max = 3, desired = 2 }
  validation {
    condition     = var.node_count.min >= 1 && var.node_count.min <= var.node_count.desired && var.node_count.desired <= var.node_count.max
    error_message = "node_count must satisfy 1 <= min <= desired <= max."
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

variable "state_bucket_name" {
  type        = string
  description = "S3 bucket for the Terraform state of the GitOps repository's projects (created here)."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "managed_policy_arns" {
  type        = set(string)
  description = <<-EOT
    IAM policies attached to DataMCP's role so terraform plan/apply can manage what the GitOps
    repository declares. Keep it to the resource types the repository holds (e.g. a customer
    managed policy for its S3 buckets and Glue databases). Empty: state access only.
  EOT
  default     = []
  validation {
    condition     = alltrue([for p in var.managed_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+$", p))])
    error_message = "managed_policy_arns must be IAM policy ARNs such as arn:aws:iam::123456789012:policy/datamcp-data."
  }
  validation {
    condition     = !contains([for p in var.managed_policy_arns : split("/", p)[length(split("/", p)) - 1]], "AdministratorAccess")
    error_message = "managed_policy_arns must not contain AdministratorAccess: attach policies for the resource types the repository manages."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = { "app.kubernetes.io/part-of" = "datamcp" }
}

variable "github_repository" {
  type        = string
  description = "owner/name of DataMCP's GitHub repository, whose release workflow may push images (GitHub OIDC)."
  default     = "datamcp/datamcp"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "secret_names" {
  type        = set(string)
  description = "Secrets Manager secrets DataMCP reads (values put by a human, never by Terraform)."
  default     = ["datamcp/github", "datamcp/argocd", "datamcp/auth"]
}
