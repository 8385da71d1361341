"""The organiser's analytics: plots with their numbers, capacity, companies at risk, demand
signals and printable reports. Reads the event; writes nothing."""
