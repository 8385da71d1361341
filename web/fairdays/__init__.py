"""The days of the fair: the live board, attendance, self-booking of free slots after
publication, and feedback after each meeting with the organiser's outcomes report."""
