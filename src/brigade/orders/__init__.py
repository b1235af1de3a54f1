"""Orders: dine-in and takeaway orders, lines, courses, the order state machine."""
