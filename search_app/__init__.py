"""The web front end and JSON API over the CSTO archive index."""
