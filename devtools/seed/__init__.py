"""The demo municipality (Lillestrøm): ``demo_municipality_seed`` builds it deterministically from a seed."""

from devtools.seed.service import SeedResult, demo_municipality_seed, kernel_is_empty

__all__ = ["SeedResult", "demo_municipality_seed", "kernel_is_empty"]
