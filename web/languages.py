"""The languages every page, message and calendar is written in, by their code."""

LANGUAGES = {"en": "English", "ja": "日本語"}
