variable "project_id" {
  type        = string
  description = "GCP project of the dev environment."
  default     = "acme-data-dev"
}

variable "region" {
  type        = string
  description = "Default region."
  default     = "europe-west1"
}
