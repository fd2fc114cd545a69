"""Region policies and data-origin tags."""
