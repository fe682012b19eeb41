output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name NAME --region REGION)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Control plane endpoint."
  value       = module.eks.cluster_endpoint
}

output "datamcp_role_arn" {
  description = "IAM role DataMCP assumes through IRSA."
  value       = aws_iam_role.irsa["datamcp"].arn
}

output "helm_service_account_annotations" {
  description = "Values for the chart's serviceAccount.annotations (IRSA)."
  value       = { "eks.amazonaws.com/role-arn" = aws_iam_role.irsa["datamcp"].arn }
}

output "state_bucket" {
  description = "S3 bucket for the GitOps repository's Terraform state (backend \"s3\" with use_lockfile)."
  value       = aws_s3_bucket.state.id
}

output "ecr_repository_url" {
  description = "ECR repository for release.yml's AWS_ECR_REPOSITORY."
  value       = aws_ecr_repository.datamcp.repository_url
}

output "release_role_arn" {
  description = "Role for release.yml's AWS_ROLE_ARN (GitHub OIDC, tag pushes only)."
  value       = aws_iam_role.release.arn
}

output "secret_arns" {
  description = "Secrets Manager secrets to fill and name in the chart's secrets.*.remoteRef.key."
  value       = { for k, s in aws_secretsmanager_secret.datamcp : k => s.arn }
}
