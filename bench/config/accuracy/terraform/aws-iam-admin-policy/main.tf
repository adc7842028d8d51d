resource "aws_iam_policy" "ci_deployer" {
  name        = "ci-deployer"
  description = "Used by the deploy pipeline"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ci_deployer" {
  role       = "ci-deployer"
  policy_arn = aws_iam_policy.ci_deployer.arn
}
