"""People and events of the collection, extracted at build time and stored with the index."""
