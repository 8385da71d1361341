"""The fair's stored values in the visitor's words (board states, booking modes)."""

from flask_babel import lazy_gettext as _l

BOARD_STATES = {
    "free": _l("free"),
    "closed": _l("no session"),
    "waiting": _l("not checked in"),
    "late": _l("late"),
    "held": _l("held"),
    "no_show": _l("no-show"),
}
BOOKING_MODES = {
    "off": _l("Off: companies cannot book"),
    "accept": _l("On: the other side accepts each booking"),
    "confirm": _l("On: a booking is confirmed at once"),
}
LOCATION_KINDS = {"table": _l("Tables"), "room": _l("Rooms"), "booth": _l("Booths")}


def words() -> dict:
    return {
        "board_states": BOARD_STATES,
        "booking_modes": BOOKING_MODES,
        "location_kinds": LOCATION_KINDS,
    }
