"""The DVD: recorded interactions, their hash index, record modes, matchers and the explanation of a miss."""
