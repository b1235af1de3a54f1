"""Brigade: a restaurant and café ordering system."""

__version__ = "0.1.0"
