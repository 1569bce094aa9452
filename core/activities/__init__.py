"""Activities: the parsed form, recording (ingest), duplicates, plausibility, quick log."""
