variable "project_id" {
  type        = string
  description = "GCP project of the prod environment."
  default     = "acme-data-prod"
}

variable "region" {
  type        = string
  description = "Default region."
  default     = "europe-west1"
}
