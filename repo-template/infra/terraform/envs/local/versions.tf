terraform {
  required_version = ">= 1.5.0"

  # State stays on the machine running DataMCP; the directory is the project.
  backend "local" {}
}
