"""Stock and recipes: ingredients, recipes per item, size and modifier, the stock ledger,
low stock and the automatic 86."""
