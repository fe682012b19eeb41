output "events_dataset_id" {
  description = "ID of the example dataset."
  value       = module.events.id
}
