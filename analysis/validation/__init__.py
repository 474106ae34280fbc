"""How far the measures can be trusted: scores against gold with bootstrap intervals."""
