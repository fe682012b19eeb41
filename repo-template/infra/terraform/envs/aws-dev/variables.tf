variable "region" {
  type        = string
  description = "AWS region of the aws-dev environment."
  default     = "eu-west-1"
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones used by the VPC and the EKS cluster."
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}
