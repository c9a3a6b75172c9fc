"""Homelab event tools (see tools/README.md)."""
