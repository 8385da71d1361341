// Reads .ics files the way Thunderbird does (Mozilla's ical.js) and prints, as JSON, each
// VEVENT's UID, SEQUENCE, STATUS, its start and end as UTC instants and its reminders. Time zones come only
// from the file's own VTIMEZONE components: a TZID without one is an error, never a silent
// fall back to floating or UTC time.
//
//   node read-events.mjs FILE.ics [FILE.ics ...]  ->  {"FILE.ics": [{uid, start, end, ...}]}
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function utc(time, property) {
  const tzid = property.getParameter("tzid");
  if (tzid && time.zone.tzid !== tzid) {
    throw new Error(`${property.name} names TZID ${tzid}, which no VTIMEZONE defines`);
  }
  if (!tzid && !time.isDate && time.zone.tzid !== "UTC") {
    throw new Error(`${property.name} is a floating time: no TZID and no Z`);
  }
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function readCalendar(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  ICAL.TimezoneService.reset();
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  return calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      sequence: component.getFirstPropertyValue("sequence"),
      status: component.getFirstPropertyValue("status"),
      summary: event.summary,
      location: event.location,
      description: event.description,
      start: utc(event.startDate, component.getFirstProperty("dtstart")),
      end: utc(event.endDate, component.getFirstProperty("dtend")),
      tzid: component.getFirstProperty("dtstart").getParameter("tzid") ?? null,
      // RFC 7986 CONFERENCE: each link with its FEATURE and LABEL parameters.
      conferences: component.getAllProperties("conference").map((property) => ({
        uri: property.getFirstValue(),
        feature: property.getParameter("feature") ?? null,
        label: property.getParameter("label") ?? null,
      })),
      // Each reminder's trigger in minutes before the start, as ical.js reads the duration.
      alarms: component.getAllSubcomponents("valarm").map(
        (alarm) => -alarm.getFirstPropertyValue("trigger").toSeconds() / 60,
      ),
    };
  });
}

const result = {};
for (const path of process.argv.slice(2)) {
  result[path] = readCalendar(readFileSync(path, "utf8"));
}
process.stdout.write(JSON.stringify(result));
