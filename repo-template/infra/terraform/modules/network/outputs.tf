output "network_id" {
  description = "Self link of the VPC network."
  value       = google_compute_network.this.id
}

output "subnetwork_id" {
  description = "Self link of the subnetwork."
  value       = google_compute_subnetwork.this.id
}

output "pods_range_name" {
  description = "Secondary range name for GKE pods."
  value       = "pods"
}

output "services_range_name" {
  description = "Secondary range name for GKE services."
  value       = "services"
}
