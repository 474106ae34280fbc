"""The text layer: normal forms, spaCy's French pipeline, language identification, sentence
units, target mentions (with anaphora), clause context and holders, lexicons."""
