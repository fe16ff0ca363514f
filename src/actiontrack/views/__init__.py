"""Views read a derived Snapshot and present it; they never compute a state themselves."""
