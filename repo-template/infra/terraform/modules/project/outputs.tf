output "project_id" {
  description = "The project ID."
  value       = google_project.this.project_id
}

output "number" {
  description = "The project number."
  value       = google_project.this.number
}
