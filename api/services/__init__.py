"""Domain rules. Functions take a Session, raise `api.errors` domain errors, never commit,
and never import Flask, so the API, the console and the workers share them."""
