"""staffplan: forecast volumes → 24/7 weekly shift plans for Trust & Safety operations."""

__version__ = "0.1.0"
