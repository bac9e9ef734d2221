"""Turns crawled pages of the CSTO site into clean documents and a search index."""
