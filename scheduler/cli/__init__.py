"""The `partnering` command line: `commands` parses and reports, `progress` draws the bar."""
