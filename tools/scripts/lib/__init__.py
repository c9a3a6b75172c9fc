"""Client libraries for the homelab event store: events.sh (bash) and events.py (Python)."""
