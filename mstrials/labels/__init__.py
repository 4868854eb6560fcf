"""Trial concepts worked out from registry records: pure functions over records, no I/O but vocabularies."""
