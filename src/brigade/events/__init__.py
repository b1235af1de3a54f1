"""Domain events: the outbox, the restaurant-wide ``seq`` and the in-process bus."""
