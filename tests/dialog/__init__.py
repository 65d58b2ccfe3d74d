"""Dialog tests: whole conversations through the bot harness."""
