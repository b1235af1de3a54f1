"""The guest menu behind a table's QR code: public, read-only, no login."""
