"""What a company takes home: calendar files, printable agendas and the meetings sheet.

Every function takes the domain `Instance` and `Schedule` (or a `Publication` of it) and
returns text or bytes, so the command line writes them to files and the web app serves them:

- `revisions`: what changed since the last published schedule (UIDs keep, SEQUENCE rises,
  dropped meetings become cancellations);
- `published_file`: that published state as a schedule document, to pass as `--previous`;
- `ical`: iCalendar files per company, per attendee and for the whole event;
- `agenda`: a printable HTML agenda per company; `sheet`: all meetings as CSV or XLSX;
- `export`: the folder layout the `partnering ics` and `partnering agendas` commands write.
"""
