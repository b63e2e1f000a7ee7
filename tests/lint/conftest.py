# tests/lint/corpus is a sample repository that lint reads, not tests to run.
collect_ignore = ["corpus"]
