"""Telling people: the outbox (a message per person and cause, written with the change that
causes it), what each kind of message says, and its delivery through SMTP by the job queue."""
