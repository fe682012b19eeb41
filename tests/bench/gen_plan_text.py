#!/usr/bin/env python3
"""Writes a terraform-plan-like text of about SIZE_MB megabytes with a secret every 100 lines."""
import sys

size = int(float(sys.argv[2]) * 1024 * 1024) if len(sys.argv) > 2 else 5 * 1024 * 1024
tokens = [
    "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
]
out, n, total = [], 0, 0
while total < size:
    n += 1
    line = (f'  # terraform_data.app["item-{n}"] will be updated in-place\n'
            f'  ~ resource "terraform_data" "app" {{\n'
            f'        id     = "5b2a{n:08x}-1c3d-4e5f-8a9b-0c1d2e3f4a5b"\n'
            f'      ~ input  = "value-{n}" -> "value-{n + 1}"\n    }}\n')
    if n % 100 == 0:
        line += f'      + token = "{tokens[(n // 100) % len(tokens)]}"\n'
    out.append(line)
    total += len(line)
with open(sys.argv[1], "w") as f:
    f.write("".join(out))
