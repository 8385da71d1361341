"""The help desk's part of the fair: the endpoints a help-desk role may open (the live
board, a table's sheet and marking attendance), as one list for the organiser roles to grant.
Every other page of web.fairdays is the organiser's alone."""

DESK_ENDPOINTS = (
    "fairdays.board",
    "fairdays.table",
    "fairdays.mark",
)
