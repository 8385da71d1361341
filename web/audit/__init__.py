"""The audit trail: who changed what in an event, when, with the values before and after."""
