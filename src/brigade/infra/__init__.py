"""Infrastructure: the engines and connections, the drivers' glue, settings, errors and
their problem+json rendering, migrating, unique-constraint guards and the request-body
limit. It knows no restaurant, no user, no event and no runtime; the contexts, the events and
the unit of work sit above it (``tests/test_architecture.py``)."""
