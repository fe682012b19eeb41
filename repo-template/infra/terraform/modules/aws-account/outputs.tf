output "account_id" {
  description = "The new account ID."
  value       = aws_organizations_account.this.id
}

output "admin_role_arn" {
  description = "Role the management account assumes to administer the account."
  value       = "arn:aws:iam::${aws_organizations_account.this.id}:role/OrganizationAccountAccessRole"
}
