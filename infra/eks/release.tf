# Where release.yml publishes the image on AWS, and how it gets in without an access key:
#   - an ECR repository (immutable tags, scan on push);
#   - GitHub's OIDC identity provider in IAM;
#   - a release role that only var.github_repository's tag pushes can assume
#     (sts:AssumeRoleWithWebIdentity, aud sts.amazonaws.com, sub repo:OWNER/NAME:ref:refs/tags/v*),
#     allowed to push to that one repository.
# The workflow's variables: AWS_ROLE_ARN = output release_role_arn, AWS_REGION = var.region,
# AWS_ECR_REPOSITORY = output ecr_repository_url.

resource "aws_ecr_repository" "datamcp" {
  name                 = "datamcp"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "release_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:ref:refs/tags/v*"]
    }
  }
}

resource "aws_iam_role" "release" {
  name                 = "datamcp-release"
  assume_role_policy   = data.aws_iam_policy_document.release_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "release" {
  statement {
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
    ]
    resources = [aws_ecr_repository.datamcp.arn]
  }
}

resource "aws_iam_role_policy" "release" {
  name   = "ecr-push"
  role   = aws_iam_role.release.id
  policy = data.aws_iam_policy_document.release.json
}
