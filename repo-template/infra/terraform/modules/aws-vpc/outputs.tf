output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "Private subnets, one per availability zone (EKS nodes and control plane ENIs)."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id]
}

output "public_subnet_ids" {
  description = "Public subnets, one per availability zone (internet-facing load balancers, NAT)."
  value       = [for az in var.availability_zones : aws_subnet.public[az].id]
}
