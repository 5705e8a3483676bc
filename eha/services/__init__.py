"""Domain functions the views call: one per user action, below the views and above the models."""
