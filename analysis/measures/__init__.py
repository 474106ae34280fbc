"""Framing measures of a unit beside stance: salience of each target, evidentiality and
certainty, incivility, frames, address (who is spoken to) and specificity."""
