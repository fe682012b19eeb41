# DataMCP's secrets in Secrets Manager, read by External Secrets Operator with DataMCP's IRSA
# role (helm values externalSecrets with provider aws, docs/secrets.md). Terraform creates the
# secrets and the read access, never the values:
#   aws secretsmanager put-secret-value --secret-id datamcp/github --secret-string file://github.json

resource "aws_secretsmanager_secret" "datamcp" {
  for_each                = var.secret_names
  name                    = each.value
  recovery_window_in_days = 7
}

data "aws_iam_policy_document" "secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [for s in aws_secretsmanager_secret.datamcp : s.arn]
  }
}

resource "aws_iam_role_policy" "secrets" {
  name   = "read-datamcp-secrets"
  role   = aws_iam_role.irsa.id
  policy = data.aws_iam_policy_document.secrets.json
}
