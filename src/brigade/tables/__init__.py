"""Floor: areas, tables, their status and QR codes."""
