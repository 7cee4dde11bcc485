"""Tests of the cassettes: the contract every backend passes, then backend-specific behaviour."""
