"""omskit's built-in plugins; each is registered from ``DEFAULT_PLUGINS``."""
