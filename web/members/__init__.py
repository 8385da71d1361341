"""Who may do what in an event: members with roles, invitations, and the one place that
enforces both (web.members.access)."""
