"""Job functions: verbs, primitive ids in, safe to run twice."""
