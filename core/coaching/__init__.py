"""Coaching: relationships, invitations, the permission check, what a coach sees, comments."""
