output "id" {
  description = "Identifier of the dataset."
  value       = terraform_data.dataset.id
}

output "spec" {
  description = "The dataset as stored."
  value       = terraform_data.dataset.output
}
