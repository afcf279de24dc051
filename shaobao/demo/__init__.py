"""Demo data: a sample Pinggu District with a year of whistle-and-report history."""
