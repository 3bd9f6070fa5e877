"""The domain: values, the pure allocation engine, and persistence (only ``store`` touches SQL)."""
