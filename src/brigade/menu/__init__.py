"""Menu: categories, items, sizes (variations), modifier groups, stations, 86."""
