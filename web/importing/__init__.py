"""Import and export: the exchange JSON of FORMAT.md, and CSV / Excel sheets.

Every reader collects every problem (with its sheet, row and column) before anything is
written; the writer then adds and updates rows by their ids in one transaction, so a bad
file changes nothing and importing the same file twice changes nothing the second time.
"""
