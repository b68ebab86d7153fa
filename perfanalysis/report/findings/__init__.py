"""Chinese findings sentences generated from the study tables, one module per study; every
number in a sentence comes from a computed table."""
