# Must run with credentials of the organization's management account.
resource "aws_organizations_account" "this" {
  name                       = var.name
  email                      = var.email
  parent_id                  = var.parent_ou_id
  role_name                  = "OrganizationAccountAccessRole"
  iam_user_access_to_billing = "DENY"
  close_on_deletion          = false
  tags                       = var.tags

  lifecycle {
    prevent_destroy = true
  }
}
