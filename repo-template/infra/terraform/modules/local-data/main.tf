# A stand-in for a cloud dataset that plans and applies offline: terraform_data stores its
# input in state and replaces itself when triggers_replace changes, like a real resource.
resource "terraform_data" "dataset" {
  input = {
    name           = var.name
    owner          = var.owner
    retention_days = var.retention_days
    labels         = var.labels
  }

  triggers_replace = [var.name]
}
