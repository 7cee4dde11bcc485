"""The pytest plugin (entry point ``pytest11``): marks, fixtures and options for DVDs in tests."""
