"""Infrastructure: the engines and connections, the drivers' glue, settings, errors and
their problem+json rendering, migrations, probes, the request-body limit and the web
app's files. It knows no restaurant, no user and no event; the contexts, the events and
the unit of work sit above it (``tests/test_architecture.py``)."""
