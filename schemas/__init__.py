"""Wire formats: marshmallow schemas for requests and responses, one module per resource."""
